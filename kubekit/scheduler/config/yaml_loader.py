"""YAML/JSON text to a document, with the duplicate keys goyaml's strict conversion reports."""

from __future__ import annotations

from typing import Any

import yaml

from kubekit.scheduler.config.field_errors import _fail, _go_quote


class _YamlLoader(yaml.SafeLoader):
    """SafeLoader that records duplicate keys (goyaml's strict conversion does)
    and keeps timestamps as strings (YAMLToJSON does not parse them)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[str] = []


def _construct_mapping(loader: _YamlLoader, node: yaml.MappingNode) -> dict:
    loader.flatten_mapping(node)
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            if key in seen:
                loader.duplicates.append(f"line {key_node.start_mark.line + 1}: key {_go_quote(str(key))} already set in map")
            seen.add(key)
        except TypeError:
            pass
    return loader.construct_mapping(node, deep=True)


_YamlLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_YamlLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def _parse_yaml(text: str) -> tuple[Any, list[str]]:
    loader = _YamlLoader(text)
    try:
        doc = loader.get_single_data()
    except yaml.YAMLError as e:
        raise _fail([f"error converting YAML to JSON: yaml: {e}"]) from None
    finally:
        loader.dispose()
    return doc, loader.duplicates
