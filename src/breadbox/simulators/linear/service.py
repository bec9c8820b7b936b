"""One simulator instance: its workspace, credentials, budgets and the `/graphql` pipeline.

Order of checks per request, as a client experiences them: credential, parse, validation
against Linear's schema, page-size limit, the 10,000-point cap, hourly budgets, execution.
Everything runs on the event-loop thread, so admin edits never race a running query.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    execute,
    parse,
    validate,
)

from ..common import SimState
from .complexity import PageSizeError, complexity_tenths, points
from .config import LinearSimConfig
from .errors import ApiError, authentication, bad_request, error, graphql_errors, too_complex
from .oauth import OAuthServer, Principal
from .ratelimit import RateLimiter
from .resolvers import Context, field_resolver
from .schema import load_schema, resolve_type
from .workspace import Workspace, ms

Reply = tuple[int, dict[str, Any], dict[str, str]]


class LinearSim:
    """Holds all mutable state of one app; nothing is shared between instances but the schema."""

    def __init__(self, config: LinearSimConfig) -> None:
        self.config = config
        self.state = SimState()
        self.schema: GraphQLSchema = load_schema(config.schema_path)
        self.ws = Workspace(config, self.state.clock.now())
        self.oauth = OAuthServer(config, self.ws.viewer.id)
        self.limiter = RateLimiter(config.rate_limits, self.state.clock.time)
        self.api_keys = {config.token, *config.extra_api_keys}
        self._documents: OrderedDict[str, tuple[DocumentNode | None, ApiError | None]] = OrderedDict()

    # --- credentials ---------------------------------------------------------------------
    def authenticate(self, header: str | None) -> Principal:
        raw = (header or "").strip()
        bearer = raw[:7].lower() == "bearer "
        token = raw[7:].strip() if bearer else raw
        strict = self.config.strict_auth_prefix
        if token in self.api_keys and (not bearer or not strict):
            return Principal("api_key", token, self.ws.viewer.id)
        if token and (bearer or not strict):
            principal = self.oauth.principal(token, self.state.clock.time())
            if principal is not None:
                return principal
        raise authentication(self.config.auth_error_status)

    # --- parse + validate, cached per query text -----------------------------------------
    def document(self, query: str) -> DocumentNode:
        cached = self._documents.get(query)
        if cached is None:
            try:
                doc: DocumentNode | None = parse(query)
                problems = validate(self.schema, doc)  # type: ignore[arg-type]
                failure = (
                    graphql_errors(problems, "GRAPHQL_VALIDATION_FAILED", self.config.validation_error_status)
                    if problems
                    else None
                )
            except GraphQLSyntaxError as exc:
                doc, failure = None, graphql_errors([exc], "GRAPHQL_PARSE_FAILED", 400)
            cached = (doc, failure)
            self._documents[query] = cached
            if len(self._documents) > 256:
                self._documents.popitem(last=False)
        doc, failure = cached
        if failure is not None:
            raise failure
        assert doc is not None
        return doc

    # --- the pipeline ----------------------------------------------------------------------
    def graphql(self, auth_header: str | None, raw_body: bytes) -> Reply:
        headers: dict[str, str] = {}
        stats = self.state.stats
        try:
            principal = self.authenticate(auth_header)
            stats.by_token[principal.token] += 1
            payload = _payload(raw_body)
            query, variables = payload["query"], payload.get("variables") or {}
            operation_name = payload.get("operationName")
            doc = self.document(query)
            for root in _root_fields(doc, operation_name):
                stats.by_endpoint[f"graphql:{root}"] += 1
            try:
                tenths = complexity_tenths(
                    self.schema,
                    doc,
                    variables,
                    operation_name,
                    self.config.default_page_size,
                    self.config.max_first,
                )
            except PageSizeError as exc:
                raise self._page_size_error(exc) from exc
            cost = points(tenths)
            headers["X-Complexity"] = str(cost)
            if cost > self.config.max_complexity:
                raise too_complex(tenths / 10, self.config.max_complexity)
            decision = self.limiter.charge(principal.bucket, principal.kind, cost)
            headers.update(decision.headers)
            if decision.error is not None:
                stats.rate_limited += 1
                raise decision.error
            stats.extra["complexity"] += cost
            result = self._execute(principal, doc, variables, operation_name)
            return self._reply(result, headers)
        except ApiError as exc:
            if exc.body["errors"][0]["extensions"].get("code") == "AUTHENTICATION_ERROR":
                stats.extra["auth_errors"] += 1
            return exc.status, exc.body, headers

    def _page_size_error(self, exc: PageSizeError) -> ApiError:
        code = self.config.first_over_max_code
        message = f"Argument Validation Error: {exc.argument} must not be greater than {exc.maximum}"
        if code == "GRAPHQL_VALIDATION_FAILED":
            return graphql_errors([GraphQLError(message)], code, self.config.validation_error_status)
        return ApiError(400, [error(message, code, "invalid input", 400, message)])

    def _execute(
        self, principal: Principal, doc: DocumentNode, variables: dict[str, Any], operation_name: str | None
    ) -> ExecutionResult:
        ctx = Context(
            self.ws,
            self.config,
            principal,
            ms(self.state.clock.now()),
            lambda: self.limiter.status(principal.bucket, principal.kind),
        )
        result = execute(
            self.schema,
            doc,
            root_value=self.ws,
            context_value=ctx,
            variable_values=variables,
            operation_name=operation_name,
            field_resolver=field_resolver,
            type_resolver=resolve_type,
        )
        assert isinstance(result, ExecutionResult)
        for key in ctx.unsupported:
            self.state.stats.extra[f"unsupported_filter:{key}"] += 1
        return result

    def _reply(self, result: ExecutionResult, headers: dict[str, str]) -> Reply:
        body: dict[str, Any] = {}
        status = 200
        if result.errors:
            body["errors"] = [_format(err) for err in result.errors]
            codes = {e["extensions"].get("code") for e in body["errors"]}
            if result.data is None:
                status = self.config.not_found_status if "INPUT_ERROR" in codes else 400
        body["data"] = result.data
        return status, body, headers


def _payload(raw: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request("POST body must be JSON") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        raise bad_request("POST body sent invalid JSON or is missing a query string")
    if payload.get("variables") is not None and not isinstance(payload["variables"], dict):
        raise bad_request("`variables` must be an object")
    return payload


def _root_fields(doc: DocumentNode, operation_name: str | None) -> list[str]:
    for definition in doc.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            operation_name is None or (definition.name and definition.name.value == operation_name)
        ):
            return [s.name.value for s in definition.selection_set.selections if isinstance(s, FieldNode)]
    return []


def _format(err: GraphQLError) -> dict[str, Any]:
    out: dict[str, Any] = {"message": err.message}
    if err.path:
        out["path"] = list(err.path)
    if err.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in err.locations]
    if err.extensions:
        out["extensions"] = dict(err.extensions)
    elif err.original_error is not None:
        out["extensions"] = {"type": "internal error", "code": "INTERNAL_ERROR", "userError": False}
    else:
        # Variable coercion and similar request errors raised by graphql-core itself.
        out["extensions"] = error(err.message, "INPUT_ERROR", "invalid input", 400)["extensions"]
    return out
