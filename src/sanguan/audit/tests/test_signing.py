"""The tree-head key: from settings, else generated once into a 0600 file."""

from __future__ import annotations

import base64
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from sanguan.audit import signing

# RFC 8032 section 7.1, TEST 1
SECRET = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
SIGNATURE_OF_EMPTY = bytes.fromhex(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
)


@pytest.fixture(autouse=True)
def _fresh_key_cache():
    signing._key.cache_clear()
    yield
    signing._key.cache_clear()


def test_the_key_from_settings_signs_as_rfc8032_says(settings):
    # given
    settings.SANGUAN_AUDIT_SIGNING_KEY = base64.b64encode(SECRET).decode()
    # when / then
    assert signing.public_key_raw() == PUBLIC
    assert signing.sign(b"") == SIGNATURE_OF_EMPTY
    assert signing.verify(PUBLIC, b"", SIGNATURE_OF_EMPTY)
    assert not signing.verify(PUBLIC, b"x", SIGNATURE_OF_EMPTY)


def test_without_a_configured_key_one_is_generated_once_into_a_private_file(settings, tmp_path):
    # given
    settings.SANGUAN_AUDIT_SIGNING_KEY = ""
    settings.SANGUAN_AUDIT_KEY_FILE = tmp_path / "audit-key.b64"
    # when
    first = signing.public_key_raw()
    signing._key.cache_clear()
    second = signing.public_key_raw()
    # then
    assert first == second
    assert stat.S_IMODE((tmp_path / "audit-key.b64").stat().st_mode) == 0o600
    assert len(base64.b64decode((tmp_path / "audit-key.b64").read_text())) == 32


@pytest.mark.parametrize("value", ["not base64!", base64.b64encode(b"short").decode()])
def test_a_malformed_configured_key_is_a_configuration_error(settings, value):
    # given
    settings.SANGUAN_AUDIT_SIGNING_KEY = value
    # when / then
    with pytest.raises(ImproperlyConfigured):
        signing.private_key()
