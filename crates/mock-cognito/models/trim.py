#!/usr/bin/env python3
"""Trims botocore's service models to what the mock's code generator reads.

Usage: pip download botocore==1.44.8 --no-deps && unzip -q botocore-*.whl 'botocore/data/*'
       python3 trim.py botocore/data   (writes the .json files next to this script)
"""

import gzip
import json
import pathlib
import sys

DROP = {"documentation", "documentationUrl", "examples", "deprecatedMessage", "deprecatedSince"}
METADATA = ["apiVersion", "jsonVersion", "protocol", "serviceId", "targetPrefix", "uid"]
OPERATION = ["name", "input", "output", "errors", "authtype"]
# service directory -> (output file, the operations kept; None keeps all)
SERVICES = {
    "cognito-idp": ("cognito-idp.json", None),
    "cognito-identity": ("cognito-identity.json", None),
    "sts": ("sts.json", {"AssumeRoleWithWebIdentity", "GetCallerIdentity"}),
}


def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k not in DROP}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x


def reachable(shapes, roots):
    keep, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name in keep:
            continue
        keep.add(name)
        shape = shapes[name]
        todo += [m["shape"] for m in shape.get("members", {}).values()]
        todo += [shape[k]["shape"] for k in ("member", "key", "value") if k in shape]
    return keep


def trim(data, service, only):
    (path,) = (data / service).glob("*/service-2.json.gz")
    model = strip(json.load(gzip.open(path)))
    operations = {
        name: {k: op[k] for k in OPERATION if k in op}
        for name, op in model["operations"].items()
        if only is None or name in only
    }
    shapes = model["shapes"]
    if only is not None:
        roots = [op[k]["shape"] for op in operations.values() for k in ("input", "output") if k in op]
        roots += [e["shape"] for op in operations.values() for e in op.get("errors", [])]
        keep = reachable(shapes, roots)
        shapes = {k: v for k, v in shapes.items() if k in keep}
    metadata = {k: model["metadata"][k] for k in METADATA if k in model["metadata"]}
    return {"metadata": metadata, "operations": operations, "shapes": shapes}


def main():
    data = pathlib.Path(sys.argv[1])
    here = pathlib.Path(__file__).parent
    for service, (out, only) in SERVICES.items():
        text = json.dumps(trim(data, service, only), sort_keys=True, separators=(",", ":"))
        (here / out).write_text(text)


if __name__ == "__main__":
    main()
