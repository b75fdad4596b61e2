"""Checks the live GraphQL schema with graphql-core, an independent implementation.

It runs the standard introspection query against `statusdata print-schema --execute -`, builds a
client schema from the answer (which validates it), and compares it with the committed
schema.graphql in both directions. Any difference, breaking or not, fails the check.
"""

import json
import subprocess
import sys

from graphql import build_client_schema, build_schema, get_introspection_query
from graphql.utilities import find_breaking_changes, find_dangerous_changes


def main() -> int:
    binary = sys.argv[1] if len(sys.argv) > 1 else "target/debug/statusdata"
    query = get_introspection_query(descriptions=True)
    out = subprocess.run([binary, "print-schema", "--execute", "-"], input=query, capture_output=True, text=True, check=True)
    answer = json.loads(out.stdout)
    if answer.get("errors"):
        print("introspection failed:", answer["errors"], file=sys.stderr)
        return 1
    live = build_client_schema(answer["data"])
    with open("schema.graphql", encoding="utf-8") as f:
        committed = build_schema(f.read())
    changes = []
    for old, new in ((committed, live), (live, committed)):
        changes += find_breaking_changes(old, new) + find_dangerous_changes(old, new)
    # An unused built-in scalar may appear on one side only; it is not part of our schema.
    builtin = {"Int", "Float", "String", "Boolean", "ID"}
    changes = [c for c in changes if not c.description.startswith("Standard scalar")]
    live_types = {n for n in live.type_map if not n.startswith("__")} - builtin
    committed_types = {n for n in committed.type_map if not n.startswith("__")} - builtin
    if changes or live_types != committed_types:
        for c in changes[:20]:
            print(f"  {c.type.name}: {c.description}", file=sys.stderr)
        for n in sorted(live_types ^ committed_types)[:20]:
            print(f"  type only on one side: {n}", file=sys.stderr)
        print("schema.graphql differs from the live schema; run `cargo run -- print-schema > schema.graphql`", file=sys.stderr)
        return 1
    print(f"graphql-core: live schema valid and equal to schema.graphql ({len(live_types)} types)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
