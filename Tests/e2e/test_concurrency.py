"""Many clients at once: parallel creates all land, and RevisionId lets exactly one of racing updates win."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from aws_clients import ROLE, error_parts, lambda_client
from botocore.exceptions import ClientError
from zip_builders import python_zip

WORKERS = 8


def test_parallel_creates_all_succeed_and_are_listed(node, unique_name):
    names = [unique_name(f"p{index}") for index in range(24)]
    code = python_zip("parallel")

    def create(name: str) -> int:
        client = lambda_client(node.endpoint)
        response = client.create_function(
            FunctionName=name, Runtime="python3.12", Handler="app.handler", Role=ROLE, Code={"ZipFile": code}
        )
        return response["ResponseMetadata"]["HTTPStatusCode"]

    with ThreadPoolExecutor(WORKERS) as pool:
        statuses = list(pool.map(create, names))

    assert statuses == [201] * len(names)
    paginator = lambda_client(node.endpoint).get_paginator("list_functions")
    listed = [function["FunctionName"] for page in paginator.paginate() for function in page["Functions"]]
    assert set(names) <= set(listed)
    assert len(listed) == len(set(listed))


def test_parallel_duplicate_creates_let_exactly_one_win(node, unique_name):
    name = unique_name()
    code = python_zip("race")

    def create(_: int) -> str:
        client = lambda_client(node.endpoint)
        try:
            client.create_function(
                FunctionName=name, Runtime="python3.12", Handler="app.handler", Role=ROLE, Code={"ZipFile": code}
            )
            return "created"
        except ClientError as error:
            return error_parts(error)[0]

    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = list(pool.map(create, range(WORKERS)))

    assert outcomes.count("created") == 1, outcomes
    assert outcomes.count("ResourceConflictException") == WORKERS - 1, outcomes


def test_racing_updates_with_the_same_revision_id_let_exactly_one_win(node, lam, make_function, unique_name):
    name = unique_name()
    revision = make_function(name)["RevisionId"]

    def update(memory: int) -> tuple[str, int]:
        client = lambda_client(node.endpoint)
        try:
            client.update_function_configuration(FunctionName=name, MemorySize=memory, RevisionId=revision)
            return ("updated", memory)
        except ClientError as error:
            return (error_parts(error)[0], memory)

    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = list(pool.map(update, [256 + 64 * index for index in range(WORKERS)]))

    winners = [memory for outcome, memory in outcomes if outcome == "updated"]
    assert len(winners) == 1, outcomes
    assert sorted(outcome for outcome, _ in outcomes if outcome != "updated") == (
        ["PreconditionFailedException"] * (WORKERS - 1)
    )
    assert lam.get_function_configuration(FunctionName=name)["MemorySize"] == winners[0]
