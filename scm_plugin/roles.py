"""The three roles of a plugin user."""
REP = "rep"
ADMIN = "admin"
CUSTOMER = "customer"

ALL = (REP, ADMIN, CUSTOMER)
STAFF = (REP, ADMIN)          # the manufacturer's people: they are granted customers
