"""Name and value formats, with the messages of
``k8s.io/apimachinery/pkg/util/validation`` (v1.34).

DNS-1123 subdomains, qualified names (label keys) and label values come from
:mod:`kubekit.api.validation`; the DNS-1123 label check is redone here because
newer apimachinery says ``must not contain dots`` for a valid subdomain that
is not a label (``content.IsDNS1123Label``).
"""

from __future__ import annotations

import re

from kubekit.api.validation import (
    dns1123_subdomain_errors,
    label_value_errors,
    qualified_name_errors,
)

__all__ = [
    "config_map_key_errors",
    "dns1123_label_errors",
    "dns1123_subdomain_errors",
    "env_var_name_errors",
    "http_header_name_errors",
    "inclusive_range_error",
    "label_value_errors",
    "name_is_dns_label",
    "name_is_dns_subdomain",
    "percent_errors",
    "port_name_errors",
    "port_num_errors",
    "qualified_name_errors",
    "regex_error",
]

_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL = re.compile(_DNS1123_LABEL_FMT)
_DNS1123_SUBDOMAIN = re.compile(_DNS1123_LABEL_FMT + r"(\." + _DNS1123_LABEL_FMT + ")*")


def regex_error(msg: str, fmt: str, *examples: str) -> str:
    """``validation.RegexError``."""
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    msg += " (e.g. "
    for i, ex in enumerate(examples):
        if i > 0:
            msg += " or "
        msg += f"'{ex}', "
    return msg + f"regex used for validation is '{fmt}')"


def max_len_error(length: int) -> str:
    return f"must be no more than {length} characters"


def inclusive_range_error(lo: int, hi: int) -> str:
    return f"must be between {lo} and {hi}, inclusive"


def dns1123_label_errors(value: str) -> list[str]:
    """IsDNS1123Label."""
    errs = []
    if len(value.encode()) > 63:
        errs.append(max_len_error(63))
    if not _DNS1123_LABEL.fullmatch(value):
        if _DNS1123_SUBDOMAIN.fullmatch(value):
            errs.append("must not contain dots")
        else:
            errs.append(
                regex_error(
                    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
                    "'-', and must start and end with an alphanumeric character",
                    _DNS1123_LABEL_FMT,
                    "my-name",
                    "123-abc",
                )
            )
    return errs


def _mask_trailing_dash(name: str) -> str:
    """apimachinery's maskTrailingDash (it drops two characters, upstream's own quirk)."""
    if len(name) > 1 and name.endswith("-"):
        return name[:-2] + "a"
    return name


def name_is_dns_subdomain(name: str, prefix: bool) -> list[str]:
    """NameIsDNSSubdomain: names of pods, nodes, deployments, leases..."""
    if prefix:
        name = _mask_trailing_dash(name)
    return dns1123_subdomain_errors(name)


def name_is_dns_label(name: str, prefix: bool) -> list[str]:
    """NameIsDNSLabel (ValidateNamespaceName)."""
    if prefix:
        name = _mask_trailing_dash(name)
    return dns1123_label_errors(name)


def port_num_errors(port: int) -> list[str]:
    """IsValidPortNum."""
    return [] if 1 <= port <= 65535 else [inclusive_range_error(1, 65535)]


_PORT_NAME_CHARSET = re.compile("[-a-z0-9]+")
_PORT_NAME_LETTER = re.compile("[a-z]")


def port_name_errors(port: str) -> list[str]:
    """IsValidPortName: at most 15 of ``[-a-z0-9]`` with a letter, no ``--``,
    no leading or trailing ``-``."""
    errs = []
    if len(port) > 15:
        errs.append(max_len_error(15))
    if not _PORT_NAME_CHARSET.fullmatch(port):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not _PORT_NAME_LETTER.search(port):
        errs.append("must contain at least one letter (a-z)")
    if "--" in port:
        errs.append("must not contain consecutive hyphens")
    if port and (port[0] == "-" or port[-1] == "-"):
        errs.append("must not begin or end with a hyphen")
    return errs


_PERCENT_FMT = "[0-9]+%"


def percent_errors(value: str) -> list[str]:
    """IsValidPercent."""
    if re.fullmatch(_PERCENT_FMT, value):
        return []
    return [regex_error("a valid percent string must be a numeric string followed by an ending '%'", _PERCENT_FMT, "1%", "93%")]


_HTTP_HEADER_FMT = "[-A-Za-z0-9]+"


def http_header_name_errors(value: str) -> list[str]:
    """IsHTTPHeaderName."""
    if re.fullmatch(_HTTP_HEADER_FMT, value):
        return []
    return [regex_error("a valid HTTP header must consist of alphanumeric characters or '-'", _HTTP_HEADER_FMT, "X-Header-Name")]


def _chdir_prefix_errors(value: str) -> list[str]:
    if value == ".":
        return ["must not be '.'"]
    if value == "..":
        return ["must not be '..'"]
    if value.startswith(".."):
        return ["must not start with '..'"]
    return []


_ENV_VAR_FMT = "[-._a-zA-Z][-._a-zA-Z0-9]*"


def env_var_name_errors(value: str) -> list[str]:
    """IsEnvVarName (the strict form; RelaxedEnvironmentVariableValidation off)."""
    errs = []
    if not re.fullmatch(_ENV_VAR_FMT, value):
        errs.append(
            regex_error(
                "a valid environment variable name must consist of alphabetic characters, digits, "
                "'_', '-', or '.', and must not start with a digit",
                _ENV_VAR_FMT,
                "my.env-name",
                "MY_ENV.NAME",
                "MyEnvName1",
            )
        )
    return errs + _chdir_prefix_errors(value)


_CONFIG_MAP_KEY_FMT = "[-._a-zA-Z0-9]+"


def config_map_key_errors(value: str) -> list[str]:
    """IsConfigMapKey."""
    errs = []
    if len(value) > 253:
        errs.append(max_len_error(253))
    if not re.fullmatch(_CONFIG_MAP_KEY_FMT, value):
        errs.append(
            regex_error(
                "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                _CONFIG_MAP_KEY_FMT,
                "key.name",
                "KEY_NAME",
                "key-name",
            )
        )
    return errs + _chdir_prefix_errors(value)
