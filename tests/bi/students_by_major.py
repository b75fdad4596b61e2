"""A BI analyst's extraction, as the README's "BI 与集成" shows it: every row of 1.5.1
全日制高职在校生信息表 read page by page over GraphQL into pandas, counted by 院系 and 专业, and
checked against the server's own group-by; then the 资助金额 of 2.13.2 奖助学表 summed exactly
(decimals arrive as strings) and checked against the server's sum.

Usage: STATUSDATA_URL=http://127.0.0.1:8080 STATUSDATA_TOKEN=… python3 students_by_major.py
(a token from 个人设置 → API 令牌, or a session token). Exit 0 when every total agrees.
"""

import os
import sys
from decimal import Decimal

import pandas as pd
from gql import Client, gql
from gql.transport.requests import RequestsHTTPTransport

STUDENTS = gql(
    """
    query Students($after: String) {
      students(first: 1000, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { unit unitName studentNo deptCode majorCode gender genderLabel }
      }
    }
    """
)

STUDENTS_BY_MAJOR = gql(
    """
    query StudentsByMajor {
      studentsAggregate(groupBy: [DEPT_CODE, MAJOR_CODE]) {
        key { deptCode majorCode }
        count
      }
      byGender: studentsAggregate(groupBy: [GENDER]) {
        key { genderLabel }
        count
      }
    }
    """
)

AID = gql(
    """
    query Aid {
      financialAidList(first: 1000) {
        totalCount
        nodes { unit program kind amount }
      }
      financialAidAggregate(groupBy: [KIND]) { key { kind } count sum { amount } }
    }
    """
)


def client() -> Client:
    url = os.environ.get("STATUSDATA_URL", "http://127.0.0.1:8080").rstrip("/")
    headers = {"Authorization": f"Bearer {os.environ['STATUSDATA_TOKEN']}"}
    transport = RequestsHTTPTransport(url=f"{url}/graphql", headers=headers, timeout=60)
    return Client(transport=transport, fetch_schema_from_transport=False)


def students(session) -> pd.DataFrame:
    """Every row of 1.5.1, 1,000 a page, following the cursor."""
    rows, after, total = [], None, None
    while True:
        page = session.execute(STUDENTS, variable_values={"after": after})["students"]
        total = page["totalCount"]
        rows.extend(page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    frame = pd.DataFrame(rows)
    if len(frame) != total:
        sys.exit(f"1.5.1: read {len(frame)} rows, but totalCount says {total}")
    return frame


def check_students(session) -> None:
    frame = students(session)
    mine = frame.groupby(["deptCode", "majorCode"], dropna=False).size()
    answer = session.execute(STUDENTS_BY_MAJOR)
    server = {
        (g["key"]["deptCode"], g["key"]["majorCode"]): g["count"]
        for g in answer["studentsAggregate"]
    }
    ours = {(d, m): int(n) for (d, m), n in mine.items()}
    if ours != server:
        differ = sorted(set(ours.items()) ^ set(server.items()))[:10]
        sys.exit(f"1.5.1: counts by 院系 and 专业 differ from the server's group-by: {differ}")
    # Labels arrive beside the codes (genderLabel: 男/女), no second query for the code list.
    by_label = {k: int(n) for k, n in frame.groupby("genderLabel").size().items()}
    server_by_label = {g["key"]["genderLabel"]: g["count"] for g in answer["byGender"]}
    if by_label != server_by_label:
        sys.exit(f"1.5.1: counts by 性别 differ: ours {by_label}, server {server_by_label}")
    print(f"1.5.1: {len(frame)} students in {len(ours)} (院系, 专业) groups and by 性别 {by_label}, equal to the server's group-by")


def check_aid(session) -> None:
    answer = session.execute(AID)
    frame = pd.DataFrame(answer["financialAidList"]["nodes"])
    if frame.empty:
        sys.exit("2.13.2: no rows to sum")
    # Exact: the amounts arrive as decimal strings ("81.41"), summed as Decimal, never as float.
    frame["amount"] = frame["amount"].map(Decimal)
    mine = frame.groupby("kind")["amount"].sum()
    server = {g["key"]["kind"]: Decimal(g["sum"]["amount"]) for g in answer["financialAidAggregate"]}
    if {k: v for k, v in mine.items()} != server:
        sys.exit(f"2.13.2: 资助金额 by 类别 differ: ours {dict(mine.items())}, server {server}")
    print(f"2.13.2: 资助金额 {sum(server.values())} 万元 in {len(server)} 类别, equal to the server's sums")


def main() -> None:
    with client() as session:
        check_students(session)
        check_aid(session)


if __name__ == "__main__":
    main()
