"""Administration: users, customer grants (with an optional end date), audit trail."""
from scm_plugin.modules import Module

from . import views

module = Module(
    name="admin",
    blueprint=views.bp,
)
