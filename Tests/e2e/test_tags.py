"""TagResource, UntagResource and ListTags on function ARNs."""

from __future__ import annotations

from aws_clients import client_error, error_parts, function_arn, run_aws


def test_tag_untag_and_list_tags_round_trip(lam, make_function, unique_name):
    name = unique_name()
    make_function(name, Tags={"initial": "1"})
    arn = function_arn(name)

    tagged = lam.tag_resource(Resource=arn, Tags={"team": "qa", "initial": "2"})
    after_tag = lam.list_tags(Resource=arn)["Tags"]
    untagged = lam.untag_resource(Resource=arn, TagKeys=["initial", "never-set"])
    after_untag = lam.list_tags(Resource=arn)["Tags"]

    assert tagged["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert after_tag == {"initial": "2", "team": "qa"}
    assert untagged["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert after_untag == {"team": "qa"}
    assert lam.get_function(FunctionName=name)["Tags"] == {"team": "qa"}


def test_untag_of_every_key_leaves_empty_tags_and_get_function_omits_them(lam, make_function, unique_name):
    name = unique_name()
    make_function(name, Tags={"only": "one"})

    lam.untag_resource(Resource=function_arn(name), TagKeys=["only"])

    assert lam.list_tags(Resource=function_arn(name))["Tags"] == {}
    assert "Tags" not in lam.get_function(FunctionName=name)


def test_tag_missing_function_returns_404(lam, unique_name):
    error = client_error(lam.tag_resource, Resource=function_arn(unique_name()), Tags={"a": "b"})

    code, status, _ = error_parts(error)
    assert (code, status) == ("ResourceNotFoundException", 404)


def test_untag_missing_function_returns_404(lam, unique_name):
    error = client_error(lam.untag_resource, Resource=function_arn(unique_name()), TagKeys=["a"])

    code, status, _ = error_parts(error)
    assert (code, status) == ("ResourceNotFoundException", 404)


def test_tagging_past_50_tags_in_total_is_rejected_and_keeps_existing_tags(lam, make_function, unique_name):
    name = unique_name()
    existing = {f"old{index}": "v" for index in range(30)}
    make_function(name, Tags=existing)

    error = client_error(
        lam.tag_resource, Resource=function_arn(name), Tags={f"new{index}": "v" for index in range(21)}
    )

    code, status, message = error_parts(error)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "Number of tags exceeds resource tag limit." in message
    assert lam.list_tags(Resource=function_arn(name))["Tags"] == existing


def test_tagging_up_to_exactly_50_tags_is_accepted(lam, make_function, unique_name):
    name = unique_name()
    make_function(name, Tags={f"old{index}": "v" for index in range(30)})

    lam.tag_resource(Resource=function_arn(name), Tags={f"new{index}": "v" for index in range(20)})

    assert len(lam.list_tags(Resource=function_arn(name))["Tags"]) == 50


def test_create_with_51_tags_is_rejected(make_function, unique_name):
    error = client_error(make_function, unique_name(), Tags={f"k{index}": "v" for index in range(51)})

    code, status, message = error_parts(error)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "Number of tags exceeds resource tag limit." in message


def test_tagging_a_qualified_arn_is_rejected(lam, make_function, unique_name):
    name = unique_name()
    make_function(name)

    error = client_error(lam.tag_resource, Resource=function_arn(name) + ":$LATEST", Tags={"a": "b"})

    code, status, _ = error_parts(error)
    assert (code, status) == ("InvalidParameterValueException", 400)


def test_aws_cli_tag_resource_and_list_tags(node, make_function, unique_name):
    name = unique_name()
    make_function(name)
    arn = function_arn(name)

    tagged = run_aws(node.endpoint, "lambda", "tag-resource", "--resource", arn, "--tags", "env=prod,tier=web")
    listed = run_aws(node.endpoint, "lambda", "list-tags", "--resource", arn).json()

    assert tagged.returncode == 0, tagged.stderr
    assert listed["Tags"] == {"env": "prod", "tier": "web"}
