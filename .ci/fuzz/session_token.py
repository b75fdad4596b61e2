"""Prints a session token for a demo account, changing its first-login password on the way.

Usage: python3 session_token.py BASE_URL STAFF_NO PASSWORD NEW_PASSWORD
"""

import json
import sys
import urllib.request


def call(base, query, variables, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps({"query": query, "variables": variables}).encode()
    request = urllib.request.Request(f"{base}/graphql", data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.load(response)
    if answer.get("errors"):
        raise SystemExit(f"{query.split('(')[0]}: {answer['errors']}")
    return answer["data"]


LOGIN = "mutation($s: String!, $p: String!) { login(staffNo: $s, password: $p) { token mustChangePassword } }"
CHANGE = "mutation($o: String!, $n: String!) { changePassword(oldPassword: $o, newPassword: $n) }"


def main():
    base, staff, password, new = sys.argv[1:5]
    first = call(base, LOGIN, {"s": staff, "p": password})["login"]
    if first["mustChangePassword"]:
        call(base, CHANGE, {"o": password, "n": new}, first["token"])
        first = call(base, LOGIN, {"s": staff, "p": new})["login"]
    print(first["token"])


main()
