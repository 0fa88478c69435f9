"""Cổng góp ý: the citizen feedback and satisfaction-survey portal."""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class BoundedIntegerConverter(IntegerConverter):
    """``<int:…>`` in every route, bounded to what a database integer holds: a larger number
    is simply not found (404) instead of overflowing the database driver (500)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def create_app(config: dict | None = None) -> Flask:
    """Build the application: settings, then each module's ``init_app``, then blueprints."""
    # static files are served by portal.assets (hashed names, a year's cache, compressed)
    app = Flask(__name__, instance_path=str(PROJECT_ROOT / "instance"), static_folder=None)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.url_map.converters["int"] = BoundedIntegerConverter

    from portal import config as settings

    app.config.update(settings.from_environment(app.instance_path))
    app.config.update(config or {})
    settings.check_production_settings(app.config, app.debug)
    logging.basicConfig(level=app.config["LOG_LEVEL"])

    proxies = app.config["TRUSTED_PROXY_COUNT"]
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    from portal import (
        api,
        assets,
        cli,
        db,
        errors,
        i18n,
        privacy,
        retention,
        security,
        snapshots,
        templating,
        throttle,
    )
    from portal.auth import init_app as init_auth

    assets.init_app(app, PROJECT_ROOT / "static")
    db.init_app(app)
    snapshots.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    throttle.init_app(app)
    init_auth(app)
    templating.init_app(app)
    privacy.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    retention.init_app(app)
    api.init_app(app)

    import feedback
    import survey
    from portal.auth.admin_views import bp as admin_bp
    from portal.auth.views import bp as auth_bp
    from portal.health import bp as health_bp
    from portal.pages.staff_views import bp as pages_staff_bp
    from portal.pages.views import bp as pages_bp
    from portal.workcalendar import init_app as init_workcalendar

    app.register_blueprint(pages_bp)
    app.register_blueprint(pages_staff_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(health_bp)
    init_workcalendar(app)
    survey.init_app(app)
    feedback.init_app(app)
    return app
