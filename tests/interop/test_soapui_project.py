"""The SoapUI project samples/soapui/soapstone-soapui-project.xml, replayed against the real
server by tests/soapui/replay.py: every TestCase green, and every assertion kind shown able to
fail.

The project's endpoint property is set to the `server` fixture's address; its username and
password properties must be the fixture's admin. Each failure test loads the project afresh,
plants one deliberately wrong expectation (or request) and checks that exactly the assertion
concerned fails with its message.
"""

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "tests" / "soapui"))

import replay  # noqa: E402  (tests/soapui is not a package)

PROJECT = REPO_ROOT / "samples" / "soapui" / "soapstone-soapui-project.xml"
N = replay.N
USER_CASE = "CreateUser, GetUser, UpdateUser, ListUsers"


def load():
    return replay.load(PROJECT)


def run(project, server, **overrides):
    return replay.Replay(project, {"endpoint": server.base_url, **overrides}).run()


def case(cases, name):
    found = [c for c in cases if c.name == name]
    assert len(found) == 1, f"no single TestCase {name!r} in {[c.name for c in cases]}"
    return found[0]


def step(project, name):
    found = project.xpath("//con:testStep[@name=$n]", n=name, namespaces=N)
    assert len(found) == 1, f"no single step {name!r}"
    return found[0]


def assertion(project, step_name, name):
    found = step(project, step_name).xpath(".//con:assertion[@name=$n]", n=name, namespaces=N)
    assert len(found) == 1, f"no single assertion {name!r} in step {step_name!r}"
    return found[0]


def request_text(project, step_name):
    return step(project, step_name).find("con:config/con:request/con:request", N)


def only_failure(case_run):
    """The failed assertions of a TestCase run (as (step, assertion name, kind, message))."""
    return [(a.step, a.name, a.kind, a.message) for s in case_run.steps for a in s.assertions
            if not a.ok]


def test_the_project_uses_the_test_credentials(admin):
    props = replay._properties(load())
    assert (props["username"], props["password"]) == (admin.username, admin.password)


def test_the_project_replays_green_with_every_assertion_evaluated(server):
    project = load()
    cases = run(project, server)
    failures = [f for c in cases for f in c.failures()]
    assert not failures, "\n".join(failures)
    assert {c.suite for c in cases} == {
        "UserService TestSuite", "CatalogService TestSuite", "OrderService TestSuite",
        "AuthService TestSuite"}
    ran_steps = sum(len(c.steps) for c in cases)
    assert ran_steps == len(project.findall(".//con:testStep", N))
    evaluated = [a.kind for c in cases for s in c.steps for a in s.assertions]
    assert len(evaluated) == len(project.findall(".//con:testStep//con:assertion", N))
    assert set(evaluated) == set(replay.ASSERTIONS)


def test_replaying_twice_does_not_collide(server):
    for _ in range(2):
        failures = [f for c in run(load(), server) for f in c.failures()]
        assert not failures, "\n".join(failures)


def test_the_outgoing_username_token_is_sent(server):
    cases = run(load(), server)
    create = case(cases, USER_CASE).steps[0]
    for part in ("<wsse:UsernameToken", "<wsse:Username>admin</wsse:Username>", "#PasswordText",
                 "<wsse:Nonce", "<wsu:Created>", 'mustUnderstand="1"'):
        assert part in create.request
    login = case(cases, "Login, WhoAmI with the SessionToken, Logout").steps[0]
    assert "wsse:Security" not in login.request


def test_a_wrong_project_password_fails_the_requests(server):
    cases = run(load(), server, password="not-the-password")
    failed = only_failure(case(cases, USER_CASE))
    assert ("CreateUser", "Not SOAP Fault", "Not SOAP Fault Assertion") in [f[:3] for f in failed]
    assert any("FailedAuthentication" in f[3] for f in failed)


def test_xpath_match_fails_on_a_wrong_expectation(server):
    project = load()
    a = assertion(project, "CreateUser", "XPath Match: status is active")
    a.find("con:configuration/content", N).text = "suspended"
    failed = only_failure(case(run(project, server), USER_CASE))
    assert len(failed) == 1
    assert failed[0][:3] == ("CreateUser", "XPath Match: status is active", "XPath Match")
    assert "expected [suspended], actual ['active']" in failed[0][3]


def test_xpath_match_fails_when_the_path_selects_nothing(server):
    project = load()
    a = assertion(project, "GetUser", "XPath Match: the username")
    path = a.find("con:configuration/path", N)
    path.text = path.text.replace("u:username", "u:nickname")
    failed = only_failure(case(run(project, server), USER_CASE))
    assert [f[1] for f in failed] == ["XPath Match: the username"]
    assert "missing content" in failed[0][3]


def test_contains_fails_on_a_missing_token(server):
    project = load()
    a = assertion(project, "CreateUser", "Contains: the display name")
    a.find("con:configuration/token", N).text = "Nobody at all"
    failed = only_failure(case(run(project, server), USER_CASE))
    assert [f[1:3] for f in failed] == [("Contains: the display name", "Simple Contains")]
    assert "missing token [Nobody at all]" in failed[0][3]


def test_not_soap_fault_fails_on_a_fault(server):
    project = load()
    request = request_text(project, "GetUser")
    request.text = request.text.replace("${#TestCase#userId}", "999999998")
    failed = only_failure(case(run(project, server), USER_CASE))
    kinds = {f[2] for f in failed if f[0] == "GetUser"}
    assert "Not SOAP Fault Assertion" in kinds
    assert "Schema Compliance" not in kinds  # the UserNotFoundFault is a declared fault


def test_soap_fault_fails_on_a_normal_response(server):
    project = load()
    request = request_text(project, "GetUser with an unknown id")
    request.text = request.text.replace("999999999", "${#TestCase#userId}")
    failed = only_failure(case(run(project, server), USER_CASE))
    expected = ("GetUser with an unknown id", "SOAP Fault", "SOAP Fault Assertion")
    assert expected in [f[:3] for f in failed]


def test_soap_response_fails_on_a_response_that_is_not_soap(server):
    project = load()
    endpoint = step(project, "CreateUser").find("con:config/con:request/con:endpoint", N)
    endpoint.text = "${#Project#endpoint}/no-such-service"
    failed = only_failure(case(run(project, server), USER_CASE))
    assert ("CreateUser", "SOAP Response", "SOAP Response") in [f[:3] for f in failed]
    assert "not XML" in dict((f[1], f[3]) for f in failed)["SOAP Response"]


def _exchange(server, response, operation):
    return replay.Exchange(
        response=response,
        soap_version="1_1",
        binding="{http://soapstone.dev/wsdl/users/v1}UserServiceSoap11Binding",
        operation=operation,
        definition=f"{server.base_url}/services/UserService?wsdl",
        contracts={},
        expand=lambda s: s,
    )


def _get_user_response(server):
    cases = run(load(), server)
    return next(s for s in case(cases, USER_CASE).steps if s.name == "GetUser").response


def test_schema_compliance_holds_for_a_real_response(server):
    replay.assert_schema_compliance(None, _exchange(server, _get_user_response(server), "GetUser"))


def test_schema_compliance_fails_on_a_response_missing_a_required_element(server):
    response = _get_user_response(server)
    start = response.index("<u:status>")
    tampered = response[:start] + response[response.index("</u:status>") + len("</u:status>"):]
    with pytest.raises(replay.AssertionFailed, match="does not validate"):
        replay.assert_schema_compliance(None, _exchange(server, tampered, "GetUser"))


def test_schema_compliance_fails_on_another_operations_response(server):
    with pytest.raises(replay.AssertionFailed, match="not a declared output of ListUsers"):
        exchange = _exchange(server, _get_user_response(server), "ListUsers")
        replay.assert_schema_compliance(None, exchange)


def test_a_failed_transfer_ends_the_test_case(server):
    project = load()
    transfer = step(project, "Transfer the user id, name and e-mail")
    path = transfer.find("con:config/con:transfers/con:sourcePath", N)
    path.text = path.text.replace("u:id", "u:identifier")
    result = case(run(project, server), USER_CASE)
    assert not result.ok
    assert "missing match for source XPath" in result.steps[1].error
    assert result.not_run == ["GetUser", "UpdateUser", "ListUsers", "GetUser with an unknown id"]


def test_an_unknown_assertion_type_is_an_error_not_a_skip(server):
    project = load()
    assertion(project, "CreateUser", "Contains: the display name").set("type", "JsonPath Match")
    with pytest.raises(replay.ReplayError, match="unsupported assertion type 'JsonPath Match'"):
        run(project, server)


def test_an_unknown_step_type_is_an_error_not_a_skip(server):
    project = load()
    step(project, "Transfer the session token").set("type", "groovy")
    with pytest.raises(replay.ReplayError, match="unsupported step type 'groovy'"):
        run(project, server)
