"""Default settings of the plugin. Every key is prefixed ``SCM_``; a host app's own
values win (they are applied with ``setdefault``). docs/configuration.md lists every one."""

MODULES = (
    "order_review",     # functions 1 and 2: sales- and sample-order review
    "alert_policy",     # functions 3 and 4: order and sample-order alert policies
    "inventory",        # function 5: inventory query
    "customer_stock",   # function 6: customer stock upkeep
    "feedback",         # function 7: customer feedback
    "documents",        # function 8: documents for customers
    "sms",              # function 9: SMS
    "portal",           # the customers' side
    "admin",            # users, grants, outbox
    "api",              # JSON API v1
)

DEFAULTS = {
    # --- the ERP database (required: SCM_ERP_DSN) -------------------------
    "SCM_ERP_DSN": None,
    "SCM_ERP_DIALECT": None,            # detected from the driver; sqlite|postgresql|mysql|mssql
    "SCM_ERP_MAPPING": None,            # path of a mapping file; None = the reference mapping
    "SCM_DB_STATEMENT_TIMEOUT": 30,     # seconds
    "SCM_DB_POOL_SIZE": 8,

    # --- mounting -----------------------------------------------------------
    "SCM_URL_PREFIX": "/scm",
    "SCM_BLUEPRINT_NAME": "scm",
    "SCM_BASE_TEMPLATE": "scm/base.html",
    "SCM_ENABLED_MODULES": MODULES,

    # --- login --------------------------------------------------------------
    "SCM_AUTH": "local",                # local | header
    "SCM_TRUSTED_HEADER": "X-Remote-User",
    "SCM_TRUSTED_PROXIES": ("127.0.0.1",),
    "SCM_HOST_USERNAME_ATTR": "username",   # mounted: attribute of the host's current_user
    "SCM_LOGIN_MAX_FAILURES": 5,
    "SCM_LOGIN_LOCK_MINUTES": 15,
    "SCM_LOGIN_SLOWDOWN_SECONDS": 0.5,  # added per failure after the third, capped at 3 s

    # --- UI -------------------------------------------------------------------
    "SCM_TIMEZONE": "Asia/Shanghai",
    "SCM_DEFAULT_LOCALE": "zh_CN",
    "SCM_LOCALES": ("zh_CN", "zh_TW", "en"),
    "SCM_PAGE_SIZE": 50,

    # --- orders -------------------------------------------------------------------
    # Decimal places an ordered quantity may have, per unit as the ERP names the item's
    # unit (its unit name where the ERP keeps unit codes and the mapping has [unit]).
    # Units counted in pieces take whole numbers: "100.5 片" is refused, when placed and
    # in the review's pre-flight check. A unit not listed takes up to 4 places (公斤: 100.5
    # is fine). Values 0–4; {} or None: no unit rule. Setting it replaces this whole dict.
    "SCM_UNIT_DECIMALS": {"片": 0, "套": 0, "张": 0, "个": 0, "盒": 0},

    # --- files ------------------------------------------------------------------
    "SCM_STORAGE_DIR": None,            # required for uploads; demo sets it
    "SCM_MAX_UPLOAD_MB": 20,
    # --- request bounds (a JSON body or a form's text is never near the upload cap) ---
    "SCM_MAX_JSON_KB": 256,             # a JSON body; a URL-encoded form; one multipart text field
    "SCM_MAX_FORM_PARTS": 2000,         # multipart parts (an order of 200 lines has 1,400 fields)

    # --- scheduled jobs --------------------------------------------------------
    "SCM_OUTBOX_INTERVAL_SECONDS": 30,
    "SCM_SCHEDULER_LEASE_SECONDS": 120,
    "SCM_DRAFT_PURGE_SECONDS": 3600,    # files of refused forms nobody came back for ...
    "SCM_DRAFT_RETENTION_HOURS": 24,    # ... are removed after this long

    # --- the outbox (mail and SMS) ---------------------------------------------
    "SCM_OUTBOX_MAX_ATTEMPTS": 20,        # with the back-off: about 13 hours before "failed"
    "SCM_OUTBOX_BACKOFF_SECONDS": 30,     # doubled per attempt, capped at 1 hour
    "SCM_OUTBOX_RECLAIM_SECONDS": 300,    # a row left "sending" this long is taken again
    "SCM_OUTBOX_RECORD_WAIT_SECONDS": 15, # a database blip after a send is waited out this long
    "SCM_MAIL_TIMEOUT_SECONDS": 10,
    "SCM_MAIL_DOMAIN": None,              # for Message-IDs; defaults to scm.local
    "SCM_NOTIFY_REPS": True,              # mail reps on new orders (switchable per customer)

    # --- SMS ------------------------------------------------------------------
    "SCM_SMS_BACKEND": "log",           # kannel | aliyun | log
    "SCM_SMS_SIGNATURE": "",
    "SCM_SMS_MAX_CHARS": 70,
    "SCM_SMS_PHS_PREFIX": "106",
    "SCM_SMS_MAX_RECIPIENTS": 500,      # per batch
    "SCM_SMS_TIMEOUT_SECONDS": 10,      # every gateway call
    "SCM_SMS_NO_ANSWER_RETRY_MINUTES": 30,  # a hand-over without an answer waits this long for
                                            # Kannel's delivery report before it is tried again
    "SCM_SMS_DLR_URL_BASE": None,       # the plugin as the gateway reaches it, e.g. http://scm.intranet:8000/scm;
                                        # set → Kannel reports delivery back; unset → messages stay "sent"
    "SCM_SMS_KANNEL_URL": None,         # e.g. http://127.0.0.1:13013/cgi-bin/sendsms
    "SCM_SMS_KANNEL_USERNAME": None,    # a sendsms-user of Kannel
    "SCM_SMS_KANNEL_PASSWORD": None,
    "SCM_SMS_KANNEL_FROM": None,        # sender number, unless Kannel has a global-sender
    "SCM_SMS_KANNEL_SMSC": None,        # route to this smsc-id
    "SCM_SMS_ALIYUN_ACCESS_KEY_ID": None,
    "SCM_SMS_ALIYUN_ACCESS_KEY_SECRET": None,
    "SCM_SMS_ALIYUN_ENDPOINT": "dysmsapi.aliyuncs.com",
    "SCM_SMS_ALIYUN_PROTOCOL": "https",
    "SCM_SMS_ALIYUN_SIGN_NAME": None,   # default: SCM_SMS_SIGNATURE without 【】
    "SCM_SMS_ALIYUN_TEMPLATE_CODE": None,   # an approved template such as "${content}"
    "SCM_SMS_ALIYUN_TEMPLATE_PARAM": "content",  # the template's variable that takes the text
}
