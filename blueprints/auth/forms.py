from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from scm_plugin.forms import SCMForm as FlaskForm
from scm_plugin.i18n import _l


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(message=_l("This field is required.")),
                                                       Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("This field is required.")),
                                                         Length(max=200)])
    next = HiddenField()
