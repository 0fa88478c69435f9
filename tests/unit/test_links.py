from survey.links import ALPHABET, TOKEN_LENGTH, new_token, normalise_token


def test_tokens_are_random_and_use_only_the_unambiguous_alphabet():
    tokens = {new_token() for _ in range(2000)}
    assert len(tokens) == 2000
    for token in tokens:
        assert len(token) == TOKEN_LENGTH and set(token) <= set(ALPHABET)
    assert not set("01ilo") & set(ALPHABET)


def test_typed_tokens_are_normalised_and_impossible_ones_refused():
    token = new_token()
    assert normalise_token(f"  {token.upper()} ") == token
    for bad in ("", "short", token + "x", "0" * TOKEN_LENGTH, "../etc/passwd", "a b"):
        assert normalise_token(bad) is None
