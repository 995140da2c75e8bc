"""scm_plugin — Customer Business Management (客户业务管理) for a supply-chain
collaboration system, as a Flask plugin.

    from scm_plugin import SCMPlugin
    SCMPlugin(app, url_prefix="/scm")      # mounted in a host app

    from scm_plugin import create_app      # standalone
"""
from .extension import SCMPlugin


def create_app(test_config=None):
    from .app import create_app as _create_app
    return _create_app(test_config)


__all__ = ["SCMPlugin", "create_app"]
