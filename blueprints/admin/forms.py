from wtforms import (
    BooleanField,
    DateField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from scm_plugin.forms import SCMForm as FlaskForm
from scm_plugin.forms import choice
from scm_plugin.i18n import _l

ROLE_CHOICES = [choice("rep", _l("Customer representative")), choice("admin", _l("Administrator")),
                choice("customer", _l("Customer user"))]
REQUIRED = _l("This field is required.")


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(message=REQUIRED), Length(max=80)])
    display_name = StringField(_l("Name"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    customer_code = SelectField(_l("Customer (customer users)"), choices=[], validate_choice=False)
    email = StringField(_l("E-mail"), validators=[Optional(), Email(message=_l("Enter a valid e-mail address.")),
                                                  Length(max=120)])
    mobile = StringField(_l("Mobile"), validators=[Optional(), Length(max=30)])
    erp_name = StringField(_l("ERP operator name"))   # checked by accounts.validate_erp_name
    password = PasswordField(_l("Password"), validators=[Optional(), Length(max=200)])


class EditUserForm(UserForm):
    active = BooleanField(_l("Active"))


class GrantForm(FlaskForm):
    customer_codes = SelectMultipleField(_l("Customers"), choices=[], validate_choice=False,
                                         validators=[DataRequired(message=_l("Choose a customer."))])
    valid_until = DateField(_l("Until (optional, for vacation cover)"), validators=[Optional()],
                            format="%Y-%m-%d")
