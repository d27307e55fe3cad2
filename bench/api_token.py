"""Make an API token for the throughput step: `python -m bench.api_token EMAIL` prints {"token": VALUE}.

In a process of its own with the app's environment (DATABASE_URL), so that the benchmark's parent never
imports the app. The token is made as the account page makes one (tracker.api.tokens.make_token) and lasts
until the end of tomorrow.
"""

import json
import sys

import sqlalchemy as sa

from bench.pages import api_client, bench_app
from tracker.auth.models import User
from tracker.extensions import db


def main() -> None:
    app = bench_app(dashboard_cache=True)
    with app.app_context():
        user_id = db.session.scalar(sa.select(User.id).where(User.email == sys.argv[1]))
        if user_id is None:
            raise SystemExit(f"there is no user {sys.argv[1]} in the database")
        header = api_client(app, user_id).environ_base["HTTP_AUTHORIZATION"]
    print(json.dumps({"token": header.removeprefix("Bearer ")}))


if __name__ == "__main__":
    main()
