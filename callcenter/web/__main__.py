"""`python -m callcenter.web [serve options]`: the web process, with the standard library made
cooperative first (gevent's monkey-patching, before anything imports a socket): psycopg 3 then
waits for PostgreSQL in the greenlet itself (it cooperates with a patched gevent from 3.1.14
on), so a request's database work needs no thread — no hand-off, no GIL contention.
`callcenter web serve` starts this."""

from gevent import monkey

monkey.patch_all()

import sys  # noqa: E402 — after the patching, on purpose

from callcenter.cli.main import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["web", "serve", *sys.argv[1:]]))
