"""Agent passwords are stored as salted scrypt hashes and verified without leaking timing."""

from __future__ import annotations

from handoff.passwords import hash_password, verify_password


def test_the_right_password_verifies_and_a_wrong_one_does_not() -> None:
    stored = hash_password("correct horse battery")
    assert stored.startswith("scrypt$") and "correct" not in stored
    assert verify_password("correct horse battery", stored)
    assert not verify_password("correct horse batter", stored)
    assert not verify_password("", stored)


def test_the_same_password_hashes_differently_each_time_salted() -> None:
    assert hash_password("s3cret-pass") != hash_password("s3cret-pass")


def test_a_damaged_hash_never_verifies() -> None:
    assert not verify_password("x", "scrypt$not-a-hash")
    assert not verify_password("x", "md5$abc")
