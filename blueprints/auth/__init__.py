"""Login, logout and the language switch."""
from scm_plugin.modules import Module

from . import views

module = Module(
    name="auth",
    blueprint=views.bp,
)
