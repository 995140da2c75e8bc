"""The landing page: 客户业务管理 with the nine functions and what waits in the user's scope."""
from scm_plugin.modules import Module

from . import views

module = Module(
    name="home",
    blueprint=views.bp,
)
