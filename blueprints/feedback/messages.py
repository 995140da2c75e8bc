"""Message codes of the feedback module (and of the uploads it shares with documents)."""
from scm_plugin.i18n import _l

MESSAGES = {
    "too_many_files": _l("At most 10 files at a time."),
    "feedback_closed": _l("This feedback is closed; nothing more can be added."),
}
