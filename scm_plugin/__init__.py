"""scm_plugin — Customer Business Management (客户业务管理) for a supply-chain
collaboration system, as a Flask plugin.

    from scm_plugin import SCMPlugin
    SCMPlugin(app, url_prefix="/scm")      # mounted in a host app

    from scm_plugin import create_app      # standalone
"""
from .app import create_app
from .extension import SCMPlugin

__all__ = ["SCMPlugin", "create_app"]
