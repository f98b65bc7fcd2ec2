# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the inventory and lookup plugins share: their options turned into a client, and API
data marked unsafe before Ansible sees it."""

from __future__ import annotations

import difflib

from ansible import template as ansible_template
from ansible.errors import AnsibleError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.utils.display import Display
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.alibabacloud.sgw.plugins.module_utils.options import (
    REGION_OPTION,
    build_client,
    given_value,
    environment_value,
    resolve_options,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwError

# ansible-core 2.19+ tags data (strings are untrusted unless tagged); 2.16 to 2.18 do not.
DATA_TAGGING = hasattr(ansible_template, "trust_as_template")

display = Display()


def unknown_options(given, definitions) -> list:
    """Problems of ``given`` (the options as written) that Ansible's own option parsing lets through.

    Keys that no option (or alias) of ``definitions`` knows, with a suggestion; and values of
    boolean options that are not booleans: Ansible reads any word it does not know as false,
    so ``validate_certs: maybe`` would silently turn certificate checks off.
    """
    known = set(definitions)
    for definition in definitions.values():
        known.update(definition.get("aliases") or ())
    problems = []
    for key in sorted(set(given) - known):
        close = difflib.get_close_matches(key, sorted(known), n=1)
        problems.append("unknown option %r%s" % (key, " (did you mean %r?)" % close[0] if close else ""))
    for name, definition in sorted(definitions.items()):
        if definition.get("type") not in ("bool", "boolean"):
            continue
        for key in [name] + list(definition.get("aliases") or ()):
            if key in given and not is_boolean(given[key]):
                problems.append(not_boolean(key, given[key]))
    return problems


def is_boolean(value) -> bool:
    """Whether Ansible reads ``value`` as a boolean on purpose (true/false, yes/no, on/off, 1/0...)."""
    if value is None:
        return True
    try:
        boolean(value, strict=True)
    except TypeError:
        return False
    return True


def not_boolean(name, value) -> str:
    return "%s must be true or false, not %r" % (name, value)


def make_unsafe(data):
    """API data as values that Ansible never templates (a gateway named ``{{ ... }}`` stays text)."""
    return wrap_var(data)


# What makes a string a template for Jinja2 (variable, block and comment start strings).
TEMPLATE_STARTS = ("{{", "{%", "{#")


def may_be_template(text) -> bool:
    """Whether ``text`` would be templated before ansible-core 2.19 (it holds a Jinja2 start string)."""
    return any(start in text for start in TEMPLATE_STARTS)


def evaluate_conditional(templar, conditional) -> bool:
    """Whether the Jinja2 test ``conditional`` holds for ``templar.available_variables``.

    ansible-core 2.19+ has ``Templar.evaluate_conditional``; before, a conditional is the
    expression inside an ``{% if %}`` block, as ``when:`` evaluated it there.
    """
    if hasattr(templar, "evaluate_conditional"):
        return templar.evaluate_conditional(conditional)
    rendered = templar.template("{%% if %s %%} True {%% else %%} False {%% endif %%}" % conditional)
    return str(rendered).strip() == "True"


class SgwPluginMixin:
    """Mixed into an inventory or lookup plugin that declares the ``alibabacloud.sgw.common.plugins`` options."""

    # The exception class the plugin raises (AnsibleParserError, AnsibleLookupError...).
    sgw_error_class = AnsibleError

    # The options as the user wrote them (the inventory file after templating, the lookup's
    # arguments): the plugin sets it before it asks for the shared options.
    sgw_given = None

    def sgw_client_options(self):
        """The shared options (options.py's table) from what the user wrote and the environment.

        Resolved here rather than by ``get_option``: ansible-core 2.16 and 2.17 do not tell a
        value set in the file from one of the environment, and read variables by other rules.
        The identity options hold only what was written: the chain reads their environment values.
        """
        try:
            return resolve_options(self.sgw_given or {})
        except SgwError as exc:
            raise self.sgw_error_class(str(exc)) from None

    def sgw_region_option(self):
        """The region of a lookup: as written, else from the environment (documented variable first)."""
        try:
            return given_value(REGION_OPTION, self.sgw_given or {}) or environment_value(REGION_OPTION)[0]
        except SgwError as exc:
            raise self.sgw_error_class(str(exc)) from None

    def sgw_client(self, pool_size=10, region=None, options=None, lazy=False):
        """A client built from this plugin's options; configuration errors become the plugin's error.

        With ``lazy``, temporary credentials are fetched at the first call (or by
        :meth:`sgw_credentials_ready`), so that ``client.credentials.identity`` costs no call.
        """
        options = self.sgw_client_options() if options is None else options
        try:
            return build_client(options, log=display.vvvv, note=display.vvv, pool_size=pool_size, region=region,
                                lazy=lazy)
        except SgwError as exc:
            raise self.sgw_error_class(str(exc)) from None

    def sgw_credentials_ready(self, client):
        """Fetch the client's credentials now (a lazy client's), their errors the plugin's error."""
        try:
            client.credentials.current()
        except SgwError as exc:
            raise self.sgw_error_class(str(exc)) from None
