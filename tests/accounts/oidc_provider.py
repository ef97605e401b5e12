"""An OpenID Connect provider in the test process: authorization-code flow endpoints (token, userinfo, JWKS)
with a real RSA key, ID tokens signed with PyJWT. The test plays the browser at the authorize step."""
from __future__ import annotations

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


class OIDCProvider:
    client_id = "perfcycle"
    client_secret = "s3cret"

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.token_requests: list[dict] = []
        self.issuer_override = None
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def _json(self, status, obj):
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):  # noqa: N802 - the token endpoint
                form = dict(urllib.parse.parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode()))
                provider.token_requests.append(form)
                grant = provider.codes.pop(form.get("code", ""), None)
                if (grant is None or form.get("client_id") != provider.client_id
                        or form.get("client_secret") != provider.client_secret):
                    return self._json(400, {"error": "invalid_grant"})
                access = f"at-{len(provider.tokens)}"
                provider.tokens[access] = grant["claims"]
                return self._json(200, {"access_token": access, "token_type": "Bearer", "expires_in": 3600,
                                        "id_token": provider.id_token(grant["claims"], grant["nonce"])})

            def do_GET(self):  # noqa: N802 - userinfo and JWKS
                if self.path == "/jwks":
                    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key()))
                    return self._json(200, {"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]})
                if self.path == "/userinfo":
                    claims = provider.tokens.get(self.headers.get("Authorization", "").removeprefix("Bearer "))
                    return self._json(200, claims) if claims else self._json(401, {"error": "invalid_token"})
                return self._json(404, {})

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def id_token(self, claims: dict, nonce: str) -> str:
        now = int(time.time())
        body = {"iss": self.issuer_override or self.url, "aud": self.client_id, "sub": claims.get("sub", "x"),
                "iat": now, "exp": now + 300, "nonce": nonce, **{k: v for k, v in claims.items() if k != "sub"}}
        return jwt.encode(body, self.key, algorithm="RS256", headers={"kid": "k1"})

    def authorize(self, authorize_url: str, claims: dict) -> tuple[str, str]:
        """What the provider does when the person signs in: a code for this state and nonce."""
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorize_url).query))
        assert query["client_id"] == self.client_id and query["response_type"] == "code"
        code = f"code-{len(self.codes)}-{time.time_ns()}"
        self.codes[code] = {"nonce": query["nonce"], "claims": claims}
        return code, query["state"]

    def settings(self) -> dict:
        from django.conf import settings

        return {"OIDC_ENABLED": True, "OIDC_RP_CLIENT_ID": self.client_id, "OIDC_RP_CLIENT_SECRET": self.client_secret,
                "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.url}/authorize", "OIDC_OP_TOKEN_ENDPOINT": f"{self.url}/token",
                "OIDC_OP_USER_ENDPOINT": f"{self.url}/userinfo", "OIDC_OP_JWKS_ENDPOINT": f"{self.url}/jwks",
                "OIDC_OP_ISSUER": self.url, "OIDC_RP_SIGN_ALGO": "RS256",
                "AUTHENTICATION_BACKENDS": [*settings.AUTHENTICATION_BACKENDS, "apps.accounts.sso.EmployeeOIDCBackend"]}

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
