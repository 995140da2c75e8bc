"""Packaging: the repo keeps the design card's folders; installed, everything lives
under the single import name ``scm_plugin`` (no top-level ``blueprints`` or ``config``)."""
from setuptools import find_packages, setup

# Each top-level folder of the repo → its import name under scm_plugin. Subpackages are
# found *inside* each folder (never over the repo root, which would install
# ``blueprints``, ``config`` or ``tests`` as top-level names).
ROOTS = {
    "scm_plugin": "scm_plugin",
    "scm_plugin.erp_bridge": "erp_bridge",
    "scm_plugin.blueprints": "blueprints",
    "scm_plugin.templates": "templates",
    "scm_plugin.config": "config",
}


def _packages() -> dict[str, str]:
    found = dict(ROOTS)
    for name, folder in ROOTS.items():
        for sub in find_packages(where=folder):
            found[f"{name}.{sub}"] = f"{folder}/{sub.replace('.', '/')}"
    return found


PACKAGES = _packages()

setup(
    name="scm_plugin",
    version="0.1.0",
    description="Customer Business Management (客户业务管理) for a supply-chain collaboration system",
    python_requires=">=3.11",
    packages=list(PACKAGES),
    package_dir=PACKAGES,
    package_data={
        "scm_plugin": ["static/**/*", "translations/*/LC_MESSAGES/*"],
        "scm_plugin.demo": ["sql/*.sql"],
        "scm_plugin.erp_bridge": ["sql/*.sql", "sql/*/*.sql"],
        "scm_plugin.templates": ["**/*.html", "**/*.txt"],
        "scm_plugin.config": ["*.toml", "*.json", "*.cfg", "*.example"],
    },
    include_package_data=False,
    install_requires=[
        "Flask>=3.0,<4",
        "Flask-Login>=0.6.3",
        "Flask-WTF>=1.2",
        "Flask-Mail>=0.10",
        "Babel>=2.12",            # translations, dates and numbers in zh_CN/zh_TW/en
        "pydantic>=2.5",          # request validation; the OpenAPI document is generated from it
        "filetype>=1.2",          # upload types decided by content (magic numbers), not by name
        "APScheduler>=3.10,<4",
        "pyodbc>=5.1",
        "phonenumbers>=8.13",
        "alibabacloud_dysmsapi20170525>=4.0",  # the aliyun SMS backend: the provider's official SDK
        "openpyxl>=3.1",
        "email-validator>=2.0",   # WTForms' Email validator
    ],
    extras_require={
        "test": [
            "pytest>=8",
            "aiosmtpd>=1.4",
            "sqlglot>=25",
            "playwright>=1.45",
            "pytest-playwright>=0.5",
            "schemathesis>=4.0,<5",
            "openapi-spec-validator>=0.7",
            "build",
        ],
        "serve": ["gunicorn>=22", "waitress>=3"],
    },
    entry_points={
        "console_scripts": ["scm-plugin=scm_plugin.cli:main"],
        # `flask scm …` in any app of this environment, even before it is configured
        "flask.commands": ["scm=scm_plugin.cli:scm_cli"],
    },
)
