"""Schemathesis checks for statusdata (loaded through SCHEMATHESIS_HOOKS by .ci/fuzz/run).

Schemathesis's own `not_a_server_error` treats every GraphQL error with a `path` as a resolver
failure unless it carries one of Apollo's codes. statusdata answers refusals with the contract's
codes (UNAUTHENTICATED, FORBIDDEN, VALIDATION_FAILED, LOCKED, ...), which are the expected outcome
of a random query, so this check fails only on what is a server fault for us: a 5xx, a body that is
not a JSON object, an error without a code, or the INTERNAL code.
"""

import json

import schemathesis
from hypothesis import strategies as st
from schemathesis.graphql import nodes

# The schema's own scalars beyond the ones schemathesis knows (Date): exact decimals and year-months
# as the API reads them, and now and then any short text, which must be refused with a code.
schemathesis.graphql.scalar(
    "Decimal",
    st.one_of(
        st.decimals(min_value=-(10**6), max_value=10**9, places=2, allow_nan=False, allow_infinity=False).map(str),
        st.text(max_size=12),
    ).map(nodes.String),
)
schemathesis.graphql.scalar(
    "YearMonth",
    st.one_of(
        st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(1990, 2035), st.integers(1, 12)),
        st.text(max_size=8),
    ).map(nodes.String),
)

CONTRACT_CODES = {
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "PASSWORD_CHANGE_REQUIRED",
    "VALIDATION_FAILED",
    "CONFLICT",
    "LOCKED",
    "DEADLINE_PASSED",
    "NOT_FOUND",
    "BAD_REQUEST",
    "TOO_COMPLEX",
}


@schemathesis.check
def statusdata_no_server_error(ctx, response, case):
    """No 5xx, a JSON object, and every error coded with one of the contract's codes (never INTERNAL)."""
    if response.status_code >= 500:
        raise AssertionError(f"HTTP {response.status_code}: {response.text[:500]}")
    try:
        body = json.loads(response.content)
    except ValueError as exc:
        raise AssertionError(f"not JSON ({exc}): {response.text[:300]}") from None
    if not isinstance(body, dict):
        raise AssertionError(f"not a JSON object: {response.text[:300]}")
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if code not in CONTRACT_CODES:
            raise AssertionError(f"error code {code!r}: {error.get('message')!r}")
