"""An error says where once: `error: id 'nope': ...`, never `id, id 'nope'` (issue 17,
defect 11), and an id the message already names is not repeated."""

from ceasefire.errors import CeasefireError, NotFound


def test_the_id_is_said_once():
    assert str(NotFound("no such incident", field="id", id="nope")) == \
        "id 'nope': no such incident"
    assert str(NotFound("no incident 'nope'", field="id", id="nope")) == \
        "id: no incident 'nope'"
    assert str(CeasefireError("too long", source="a.csv", line=3, field="narrative",
                              id="r-1")) == "a.csv, line 3, narrative, id 'r-1': too long"
