"""Environment variables are read strictly: a value that does not parse stops start-up with an
error naming the variable, instead of silently becoming a default nobody chose."""

import pytest

from claimtrack.lib.env import EnvironmentVariableError, env_bool, env_float, env_int, env_list, env_str


@pytest.mark.parametrize("spelling", ["1", "true", "True", "YES", "on", " yes "])
def test_boolean_accepts_the_documented_true_spellings(spelling):
    assert env_bool("DEBUG", False, environ={"DEBUG": spelling}) is True


@pytest.mark.parametrize("spelling", ["0", "false", "FALSE", "No", "off"])
def test_boolean_accepts_the_documented_false_spellings(spelling):
    assert env_bool("DEBUG", True, environ={"DEBUG": spelling}) is False


@pytest.mark.parametrize("typo", ["ture", "flase", "2", "y", "enabled"])
def test_boolean_typo_is_refused_naming_the_variable_the_value_and_what_is_accepted(typo):
    with pytest.raises(EnvironmentVariableError) as error:
        env_bool("DEBUG", False, environ={"DEBUG": typo})
    message = str(error.value)
    assert message.startswith(f"DEBUG={typo!r} ")
    assert "true/false" in message and "yes/no" in message and "on/off" in message


def test_unset_or_empty_variable_gives_the_default():
    assert env_bool("DEBUG", True, environ={}) is True
    assert env_bool("DEBUG", True, environ={"DEBUG": ""}) is True
    assert env_int("AXES_FAILURE_LIMIT", 5, environ={"AXES_FAILURE_LIMIT": ""}) == 5
    assert env_str("LOG_LEVEL", "INFO", environ={"LOG_LEVEL": ""}) == "INFO"
    assert env_list("ALLOWED_HOSTS", ["localhost"], environ={}) == ["localhost"]


def test_whole_number_is_read_and_a_word_is_refused_naming_the_variable():
    assert env_int("AXES_FAILURE_LIMIT", 5, environ={"AXES_FAILURE_LIMIT": " 7 "}) == 7
    with pytest.raises(EnvironmentVariableError, match=r"^AXES_FAILURE_LIMIT='five' is not a whole number"):
        env_int("AXES_FAILURE_LIMIT", 5, environ={"AXES_FAILURE_LIMIT": "five"})
    with pytest.raises(EnvironmentVariableError, match=r"^AXES_FAILURE_LIMIT='2.5' is not a whole number"):
        env_int("AXES_FAILURE_LIMIT", 5, environ={"AXES_FAILURE_LIMIT": "2.5"})


def test_number_outside_its_bounds_is_refused_naming_the_variable_and_the_bound():
    with pytest.raises(EnvironmentVariableError, match=r"^AXES_FAILURE_LIMIT=0 is below the smallest allowed value, 1"):
        env_int("AXES_FAILURE_LIMIT", 5, minimum=1, environ={"AXES_FAILURE_LIMIT": "0"})
    with pytest.raises(EnvironmentVariableError, match=r"^INGEST_THREADS=65 is above the largest allowed value, 64"):
        env_int("INGEST_THREADS", 4, maximum=64, environ={"INGEST_THREADS": "65"})
    assert env_int("INGEST_THREADS", 4, minimum=1, maximum=64, environ={"INGEST_THREADS": "64"}) == 64


def test_decimal_number_is_read_and_junk_or_infinity_is_refused_naming_the_variable():
    assert env_float("FETCH_TIMEOUT", 30, environ={"FETCH_TIMEOUT": "2.5"}) == 2.5
    assert env_float("FETCH_TIMEOUT", 30, environ={}) == 30.0
    for junk in ["30s", "nan", "inf"]:
        with pytest.raises(EnvironmentVariableError, match=rf"^FETCH_TIMEOUT='{junk}' is not a"):
            env_float("FETCH_TIMEOUT", 30, environ={"FETCH_TIMEOUT": junk})
    with pytest.raises(EnvironmentVariableError, match=r"^FETCH_TIMEOUT=-1.0 is below"):
        env_float("FETCH_TIMEOUT", 30, minimum=0, environ={"FETCH_TIMEOUT": "-1"})


def test_list_is_comma_separated_with_blanks_dropped():
    assert env_list("ALLOWED_HOSTS", environ={"ALLOWED_HOSTS": " a.example, ,b.example,"}) == ["a.example", "b.example"]


def test_value_may_come_from_a_file_and_its_errors_say_so(tmp_path):
    secret = tmp_path / "limit"
    secret.write_text("9\n")
    assert env_int("AXES_FAILURE_LIMIT", 5, environ={"AXES_FAILURE_LIMIT_FILE": str(secret)}) == 9
    secret.write_text("nine\n")
    with pytest.raises(EnvironmentVariableError, match=r"^AXES_FAILURE_LIMIT \(from AXES_FAILURE_LIMIT_FILE\)='nine'"):
        env_int("AXES_FAILURE_LIMIT", 5, environ={"AXES_FAILURE_LIMIT_FILE": str(secret)})


def test_missing_file_is_refused_naming_the_file_variable(tmp_path):
    missing = str(tmp_path / "absent")
    with pytest.raises(EnvironmentVariableError, match=r"^SECRET_KEY_FILE='.*absent' cannot be read"):
        env_str("SECRET_KEY", environ={"SECRET_KEY_FILE": missing})
