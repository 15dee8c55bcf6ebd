"""Checks Terraform files against the vendored OpenNebula provider schema.

    python machines_tf_check.py third_party/opennebula-provider/schema.json FILE.tf...

Every file is parsed with python-hcl2 (a syntax error fails); every top-level block type,
resource and data source type, provider name, nested block and argument name must be in the
schema. Terraform itself accepts unknown names only to fail at `terraform plan`, which needs
the provider binary and a cloud; this catches the misspelling offline. Prints each problem and
exits 1 if there is one.
"""

import json
import sys

import hcl2

# Top-level blocks with two labels (type, name): the schema is per type.
TYPED = ("resource", "data")


def check_body(body, schema, where, problems):
    """`body` is a block's dict; `schema` has `arguments` (`*`: any) and `blocks`."""
    for key, value in body.items():
        if key in schema["blocks"]:
            if not (isinstance(value, list) and all(isinstance(b, dict) for b in value)):
                problems.append(f"{where}: `{key}` is a block, written as an argument")
                continue
            for block in value:
                check_body(block, schema["blocks"][key], f"{where}.{key}", problems)
        elif key not in schema["arguments"] and "*" not in schema["arguments"]:
            problems.append(f"{where}: unknown argument or block `{key}`")


def check_file(path, schema, problems):
    with open(path) as f:
        try:
            document = hcl2.load(f)
        except Exception as error:  # python-hcl2 raises lark's errors, of several types
            problems.append(f"{path}: does not parse: {error}")
            return
    for kind, blocks in document.items():
        if kind not in schema or kind == "provider_version":
            problems.append(f"{path}: unknown block type `{kind}`")
            continue
        for block in blocks:
            if kind in TYPED:
                for type_name, named in block.items():
                    if type_name not in schema[kind]:
                        problems.append(f"{path}: unknown {kind} type `{type_name}`")
                        continue
                    for name, body in named.items():
                        check_body(body, schema[kind][type_name], f"{path}: {kind}.{type_name}.{name}", problems)
            elif kind == "provider":
                for name, body in block.items():
                    if name not in schema["provider"]:
                        problems.append(f"{path}: unknown provider `{name}`")
                        continue
                    check_body(body, schema["provider"][name], f"{path}: provider.{name}", problems)
            elif kind in ("variable", "output"):
                for name, body in block.items():
                    check_body(body, schema[kind], f"{path}: {kind}.{name}", problems)
            else:
                check_body(block, schema[kind], f"{path}: {kind}", problems)


def main():
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    problems = []
    for path in sys.argv[2:]:
        check_file(path, schema, problems)
    for problem in problems:
        print(problem)
    if not problems:
        print(f"{len(sys.argv) - 2} files match the provider {schema['provider_version']} schema")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
