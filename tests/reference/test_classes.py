"""The reference's `classes` argument and `Classes` ([classes.form], [classes.id], [classes.unique])."""

from __future__ import annotations

import numpy as np
import pytest

from wbimage_conformance import reference
from wbimage_conformance.reference import Classes, Image

GRAY = np.array([[0, 128], [255, 7]], dtype=np.uint8)


def image(classes):
    return Image(GRAY, classes=classes)


def test_a_list_of_id_name_dicts_is_accepted():
    assert image([{"id": 0, "name": "cat"}, {"id": 3, "name": "dog"}]).classes.class_set == (
        {"id": 0, "name": "cat"}, {"id": 3, "name": "dog"})


def test_a_tuple_is_accepted_and_an_empty_list_means_no_entries():
    assert image(({"id": 1, "name": "a"},)).classes.names() == {1: "a"}
    assert image([]).classes.class_set == ()


def test_none_means_no_classes():
    assert image(None).classes is None


def test_a_classes_object_is_kept():
    classes = Classes([{"id": 2, "name": "b"}])
    assert image(classes).classes is classes


def test_an_object_keeping_its_list_in_class_set_is_read_like_wandb_classes():
    class WandbLike:
        def __init__(self):
            self._class_set = [{"id": 5, "name": "x"}]

    assert image(WandbLike()).classes.names() == {5: "x"}


def test_numpy_and_0d_tensor_ids_become_ints():
    torch = pytest.importorskip("torch")
    classes = image([{"id": np.int64(4), "name": "a"}, {"id": torch.tensor(9), "name": "b"},
                     {"id": np.array(7, dtype=np.uint8), "name": "c"}]).classes
    assert classes.class_set == ({"id": 4, "name": "a"}, {"id": 9, "name": "b"}, {"id": 7, "name": "c"})
    assert all(type(e["id"]) is int for e in classes.class_set)


def test_the_class_set_is_a_copy():
    classes = Classes([{"id": 1, "name": "a"}])
    classes.class_set[0]["name"] = "changed"
    assert classes.names() == {1: "a"}


def test_classes_compare_by_their_entries():
    assert Classes([{"id": 1, "name": "a"}]) == Classes(({"id": 1, "name": "a"},))
    assert Classes([{"id": 1, "name": "a"}]) != Classes([{"id": 1, "name": "b"}])


@pytest.mark.parametrize(("classes", "message"), [
    ({"id": 1, "name": "a"}, r"^classes: expected a list of \{'id': int, 'name': str\} dicts or a Classes object, got dict"),
    ("cat", r"^classes: expected a list .* got str 'cat'"),
    (3, r"^classes: expected a list .* got int 3"),
    ([("id", 1)], r"^classes\[0\]: expected a dict \{'id': int, 'name': str\}, got tuple"),
    ([{"id": 1}], r"^classes\[0\]: missing 'name'$"),
    ([{"name": "a"}], r"^classes\[0\]: missing 'id'$"),
    ([{"id": 1, "name": "a", "color": "red"}], r"^classes\[0\]: unknown key 'color'; the keys are 'id', 'name'$"),
    ([{"id": 1, "name": 7}], r"^classes\[0\]\['name'\]: expected a str, got int 7$"),
    ([{"id": "1", "name": "a"}], r"^classes\[0\]\['id'\]: expected a number .* got str '1'$"),
    ([{"id": 1.0, "name": "a"}], r"^classes\[0\]\['id'\]: a class id is an integer, got float 1.0$"),
    ([{"id": True, "name": "a"}], r"^classes\[0\]\['id'\]: expected a number, got bool True"),
    ([{"id": np.float32(2), "name": "a"}], r"^classes\[0\]\['id'\]: a class id is an integer, got numpy.float32"),
])
def test_malformed_classes_raise_type_error_naming_the_place(classes, message):
    with pytest.raises(TypeError, match=message):
        image(classes)


def test_a_negative_id_is_a_value_error():
    with pytest.raises(ValueError, match=r"^classes\[1\]\['id'\]: class id -1 is negative"):
        image([{"id": 0, "name": "a"}, {"id": -1, "name": "b"}])


def test_a_repeated_id_is_a_value_error_naming_both_places():
    with pytest.raises(ValueError, match=r"^classes\[2\]\['id'\]: id 1 is already used by classes\[0\]$"):
        image([{"id": 1, "name": "a"}, {"id": 2, "name": "b"}, {"id": np.int8(1), "name": "c"}])


def test_a_wandb_like_object_is_checked_under_its_attribute_name():
    class WandbLike:
        _class_set = [{"id": "x", "name": "a"}]

    with pytest.raises(TypeError, match=r"^classes\._class_set\[0\]\['id'\]: expected a number"):
        image(WandbLike())


def test_the_classes_constructor_checks_its_argument():
    with pytest.raises(TypeError, match=r"^class_set\[0\]: missing 'name'$"):
        Classes([{"id": 1}])


def test_the_caller_s_list_is_not_modified():
    given = [{"id": np.int64(1), "name": "a"}]
    image(given)
    assert type(given[0]["id"]) is np.int64 and given == [{"id": 1, "name": "a"}]


def test_classes_is_exported():
    assert reference.Classes is Classes
