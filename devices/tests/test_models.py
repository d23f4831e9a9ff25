import pytest
from django.core.exceptions import ValidationError

from devices.models import Platform, Router


@pytest.mark.parametrize(
    "driver", ["junos", "eos", "frr", "ios-xr", "napalm.eos", "custom_napalm.mydriver"]
)
def test_driver_names_that_napalm_can_load_are_accepted(db, driver: str) -> None:
    Platform(
        name=driver, slug=driver.replace(".", "-").replace("_", "-"), napalm_driver=driver
    ).full_clean()


@pytest.mark.parametrize(
    "driver", ["Junos OS", "../etc/passwd", "eos;rm", "1eos", "os.system", "vendor.driver"]
)
def test_driver_names_that_are_not_identifiers_are_refused(db, driver: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Platform(name="x", slug="x", napalm_driver=driver).full_clean()
    assert "is not a NAPALM driver name" in str(caught.value.message_dict["napalm_driver"])


@pytest.mark.parametrize("args", [[], "port=22", 22])
def test_napalm_args_must_be_a_json_object(db, args) -> None:
    with pytest.raises(ValidationError) as caught:
        Router(name="r1", hostname="r1.example.net", napalm_args=args).full_clean()
    assert "Enter a JSON object" in str(caught.value.message_dict["napalm_args"])
    with pytest.raises(ValidationError):
        Platform(name="p", slug="p", napalm_driver="eos", napalm_args=args).full_clean()


@pytest.mark.parametrize("hostname", ["198.18.0.11", "2001:db8::11", "edge1.example.net", "r1"])
def test_router_hostname_accepts_addresses_and_dns_names(db, hostname: str) -> None:
    Router(name="r1", hostname=hostname).full_clean()


@pytest.mark.parametrize("hostname", ["edge 1", "-bad.example.net", "r1..example.net", "a" * 64])
def test_router_hostname_refuses_what_is_neither(db, hostname: str) -> None:
    with pytest.raises(ValidationError, match="neither an IP address nor a valid DNS name"):
        Router(name="r1", hostname=hostname).full_clean()


def test_router_names_are_unique(db) -> None:
    Router.objects.create(name="r1", hostname="r1.example.net")
    with pytest.raises(ValidationError, match="already exists"):
        Router(name="r1", hostname="other.example.net").full_clean()
