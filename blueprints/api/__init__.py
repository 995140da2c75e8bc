"""JSON API v1 at ``{prefix}/api/v1``: bearer tokens or the browser session (then
writes need ``X-CSRFToken``), the error format of API.md, and an OpenAPI document
generated from the same pydantic schemas that validate requests.

Only what every module's API shares lives here (authentication, the error shape, the
route helper, the document); each module declares its own routes (``Module.api``) and
the app's API blueprint is built from the enabled ones."""
from scm_plugin.modules import Module

from . import views

module = Module(name="api", blueprint=views.build_blueprint)
