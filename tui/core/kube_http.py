"""Raw JSON requests through the official kubernetes client.

We bypass the generated model classes (turning 20k objects into models costs seconds) but keep
the client's auth, TLS and kubeconfig handling. Non-2xx answers raise the client's own
``ApiException`` subclasses (403 -> ForbiddenException, 404 -> NotFoundException, ...).
"""
from __future__ import annotations

import json
from typing import Any

from kubernetes.client import ApiClient, Configuration
from kubernetes.client.exceptions import ApiException

Query = list[tuple[str, str]]

MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
JSON_PATCH = "application/json-patch+json"


def request(
    api_client: ApiClient,
    method: str,
    path: str,
    query: Query | None = None,
    body: Any = None,
    content_type: str | None = None,
    timeout: tuple[float, float] = (5.0, 60.0),
) -> Any:
    """The urllib3 response of one request, body not yet read; raises ApiException on non-2xx."""
    headers = {"Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = content_type or "application/json"
    method_, url, headers_, body_, post = api_client.param_serialize(
        method,
        path,
        query_params=query or [],
        header_params=headers,
        body=body,
        auth_settings=["BearerToken"],
    )
    response = api_client.call_api(method_, url, headers_, body_, post, _request_timeout=timeout)
    raw = response.response
    if not 200 <= raw.status <= 299:
        data = raw.data.decode("utf-8", errors="replace")
        raw.release_conn()
        raise ApiException.from_response(http_resp=response, body=data, data=None)
    return raw


def request_json(
    api_client: ApiClient,
    method: str,
    path: str,
    query: Query | None = None,
    body: Any = None,
    content_type: str | None = None,
    timeout: tuple[float, float] = (5.0, 60.0),
) -> Any:
    """The decoded JSON body of one request (None for an empty body)."""
    raw = request(api_client, method, path, query, body, content_type, timeout)
    try:
        data = raw.data
    finally:
        raw.release_conn()
    return json.loads(data) if data else None


def api_error_message(exc: ApiException) -> str:
    """The API's own Status message when it sent one, else the HTTP reason."""
    try:
        status = json.loads(exc.body or "")
        if isinstance(status, dict) and status.get("message"):
            return f"{exc.status}: {status['message']}"
    except ValueError:
        pass
    return f"{exc.status}: {exc.reason or 'error'}"


def tuned_client(config: Configuration, pool_size: int = 32) -> ApiClient:
    """An ApiClient with no urllib3 retries (our sources do their own backoff and must see a
    refused connection at once) and a pool big enough for one open watch per kind."""
    config.retries = False
    config.connection_pool_maxsize = pool_size
    return ApiClient(config)


def client_for(url: str, token: str | None = None) -> ApiClient:
    """An ApiClient for a plain URL (the embedded emulator)."""
    config = Configuration(host=url)
    if token:
        config.api_key = {"BearerToken": token}
        config.api_key_prefix = {"BearerToken": "Bearer"}
    return tuned_client(config)
