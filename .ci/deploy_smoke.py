"""After the README's deployment (.ci/deploy-check): sign in over HTTP as a browser behind the README's proxy would,
load the main pages and a collected static file, and import a workbook through the background worker.

Standard library only. Reads DEPLOY_BASE_URL (gunicorn's address) and DEPLOY_HOST (the public host name); every
request carries X-Forwarded-Proto: https, as the proxy sends it.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import sys
import time
import urllib.parse
import uuid
from http.cookies import SimpleCookie

BASE = urllib.parse.urlsplit(os.environ["DEPLOY_BASE_URL"])
ADDRESS = BASE.hostname or "127.0.0.1"
HOST = os.environ["DEPLOY_HOST"]
USERNAME, PASSWORD = "kiemthu", "Kiem-Thu@2026-trien-khai"
cookies: dict[str, str] = {}


def request(
    method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[http.client.HTTPResponse, bytes]:
    conn = http.client.HTTPConnection(ADDRESS, BASE.port, timeout=60)
    sent = {
        "Host": HOST,
        "X-Forwarded-Proto": "https",
        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        **(headers or {}),
    }
    if method == "POST":
        sent.setdefault("Origin", f"https://{HOST}")
        sent.setdefault("Referer", f"https://{HOST}{path}")
    conn.request(method, path, body=body, headers=sent)
    response = conn.getresponse()
    data = response.read()
    for header in response.headers.get_all("Set-Cookie") or []:
        for name, morsel in SimpleCookie(header).items():
            cookies[name] = morsel.value
    conn.close()
    return response, data


def expect(status: int, response: http.client.HTTPResponse, data: bytes, what: str) -> str:
    text = data.decode("utf-8", "replace")
    if response.status != status:
        sys.exit(f"FAILED: {what}: {response.status}, expected {status}\n{text[:2000]}")
    print(f"ok   {response.status} {what}")
    return text


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        sys.exit("FAILED: no CSRF token in the form")
    return match.group(1)


def wait_until_up() -> None:
    for _ in range(120):
        try:
            response, _data = request("GET", "/accounts/login/")
            if response.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit("FAILED: gunicorn did not answer within 60 s")


def main() -> None:
    wait_until_up()
    # Plain HTTP is sent to HTTPS (the proxy's header is what tells them apart).
    conn = http.client.HTTPConnection(ADDRESS, BASE.port, timeout=60)
    conn.request("GET", "/", headers={"Host": HOST})
    plain = conn.getresponse()
    plain.read()
    if plain.status != 301 or not plain.headers["Location"].startswith("https://"):
        sys.exit(f"FAILED: plain HTTP answered {plain.status} {plain.headers['Location']}")
    print("ok   301 plain HTTP to HTTPS")

    html = expect(200, *request("GET", "/accounts/login/"), "the sign-in page")
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": csrf_from(html), "username": USERNAME, "password": PASSWORD}
    ).encode()
    response, data = request("POST", "/accounts/login/", form, {"Content-Type": "application/x-www-form-urlencoded"})
    expect(302, response, data, "signing in")

    year = time.localtime().tm_year
    home = expect(200, *request("GET", "/"), "the dashboard")
    for path in ("/candidates/", "/deadlines/", "/org/", "/org/KT/", f"/quotas/KT/?year={year}", "/imports/"):
        expect(200, *request("GET", path), path)
    static = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', home)
    if not static:
        sys.exit("FAILED: the dashboard links no hashed stylesheet: was collectstatic run?")
    expect(200, *request("GET", static.group(1)), f"a collected static file ({static.group(1)})")

    # A workbook imported through the web, checked and saved by db_worker.
    upload = expect(200, *request("GET", "/imports/"), "the import page")
    boundary = uuid.uuid4().hex
    csv = "Mã tổ chức,Tên tổ chức,Mã cấp trên,Loại tổ chức\nKT.1,Đảng bộ xã Thử Nghiệm,KT,commune\n".encode()
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{csrf_from(upload)}\r\n',
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="to-chuc.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n",
    ]
    body = "".join(parts).encode() + csv + f"\r\n--{boundary}--\r\n".encode()
    response, data = request("POST", "/imports/", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    expect(302, response, data, "uploading a workbook")
    run = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]

    def wait_for(statuses: set[str], what: str) -> None:
        for _ in range(240):
            status = json.loads(expect_quiet(f"/imports/{run}/progress/"))["status"]
            if status in statuses:
                print(f"ok   import {run}: {status} ({what})")
                return
            time.sleep(0.5)
        sys.exit(f"FAILED: import {run} still {status} after 120 s: is db_worker running?")

    wait_for({"ready"}, "checked by the worker")
    detail = expect(200, *request("GET", f"/imports/{run}/"), "the import's preview")
    response, data = request(
        "POST",
        f"/imports/{run}/confirm/",
        urllib.parse.urlencode({"csrfmiddlewaretoken": csrf_from(detail)}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    expect(302, response, data, "confirming the import")
    wait_for({"done"}, "saved by the worker")
    expect(200, *request("GET", "/org/KT.1/"), "the imported unit's page")


def expect_quiet(path: str) -> str:
    response, data = request("GET", path)
    if response.status != 200:
        sys.exit(f"FAILED: {path}: {response.status}\n{data[:2000]!r}")
    return data.decode()


if __name__ == "__main__":
    main()
    print("the README's deployment works")
