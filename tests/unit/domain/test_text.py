from grok_desktop.domain.text import GrowingText


def test_pieces_read_as_one_text_in_order_and_stay_joined() -> None:
    text = GrowingText()
    assert text.text == "" and not text
    for piece in ("Hel", "", "lo", " wor", "ld"):
        text.append(piece)
    assert text and text.text == "Hello world"
    assert text._parts == ["Hello world"]  # joined once, kept as one piece
    text.append("!")
    assert text.text == "Hello world!"
