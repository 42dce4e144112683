"""env.json for `sam local invoke` and `sam local start-api` (--env-vars), made from the
Makefile's DEV_ENV, the one copy of the dev configuration:

    printf '%s\\n' $(DEV_ENV) | python3 scripts/sam_env.py http://dynamodb:8000 > env.json
    python3 scripts/sam_env.py --check env.json template.yaml

Every function gets the dev values ("Parameters" applies to all of them), with the DynamoDB
endpoint replaced by the one SAM's containers reach on the Docker network. The AWS_*
credentials and region are left out: Lambda reserves those names, so a template cannot
declare them, and SAM passes the shell's own into each container. SAM only sets the
variables the template declares; `--check` verifies that the template declares every one
env.json sets, and that every variable the template declares has a value.
"""

import json
import sys

# Set by Lambda itself (and by SAM from the shell); a template may not declare them.
RESERVED = {"AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}
ENDPOINT = "AWS_ENDPOINT_URL_DYNAMODB"


def generate(endpoint):
    values = {}
    for line in sys.stdin.read().splitlines():
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        if not sep:
            sys.exit(f"sam_env: not NAME=VALUE: {line!r}")
        values[name] = value
    values = {n: v for n, v in values.items() if n not in RESERVED}
    values[ENDPOINT] = endpoint
    # The SDK reads none of these in a function, which builds its own client; keep the
    # file to what the template declares and the functions read.
    values.pop("AWS_EC2_METADATA_DISABLED", None)
    print(json.dumps({"Parameters": dict(sorted(values.items()))}, indent=2))


def declared_variables(template_path):
    """The names under Globals.Function.Environment.Variables and each function's own."""
    import yaml  # PyYAML comes with cfn-lint in .venv.

    class Loader(yaml.SafeLoader):
        pass

    # CloudFormation's short intrinsics (!Ref, !Sub, ...) as plain values.
    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    template = yaml.load(open(template_path, encoding="utf-8"), Loader=Loader)
    names = set(template["Globals"]["Function"]["Environment"]["Variables"])
    for resource in template["Resources"].values():
        if resource.get("Type") == "AWS::Serverless::Function":
            env = resource.get("Properties", {}).get("Environment", {})
            names |= set(env.get("Variables", {}))
    return template, names


def check(env_path, template_path):
    parameters = json.load(open(env_path, encoding="utf-8"))["Parameters"]
    template, declared = declared_variables(template_path)
    problems = []
    undeclared = sorted(set(parameters) - declared)
    if undeclared:
        problems.append(f"env.json sets variables the template does not declare: {undeclared}")
    unset = sorted(declared - set(parameters))
    if unset:
        problems.append(f"the template declares variables env.json leaves unset: {unset}")
    if set(parameters) & RESERVED:
        problems.append("env.json sets Lambda's reserved variables")
    default = template["Globals"]["Function"]["Environment"]["Variables"].get(ENDPOINT, "missing")
    if default != "":
        problems.append(f"the template must declare {ENDPOINT} empty by default, not {default!r}")
    if not parameters.get(ENDPOINT, "").startswith("http://dynamodb:"):
        problems.append(f"env.json must point {ENDPOINT} at DynamoDB Local on the Docker network")
    if problems:
        sys.exit("sam_env: " + "; ".join(problems))
    print(f"env.json: {len(parameters)} variables, all declared by {template_path}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--check"]:
        check(sys.argv[2], sys.argv[3])
    else:
        generate(sys.argv[1])
