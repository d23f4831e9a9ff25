from django.contrib import admin
from django.http import HttpRequest

from peeringdb.models import IX, IXLan, IXLanPrefix, Network, NetworkIXLan


class ReadOnlyAdmin(admin.ModelAdmin):
    """The local copy of PeeringDB: only the synchronisation writes it.

    A reference to another PeeringDB object is listed by its id (`ixlan_id`), never by the
    foreign key: the mirror's references have no database constraint (an object may refer
    to one the mirror lacks), and a foreign key in list_display joins its table, which
    hides the rows whose referenced object is missing.
    """

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Network)
class NetworkAdmin(ReadOnlyAdmin):
    list_display = ["asn", "name", "irr_as_set", "info_prefixes4", "info_prefixes6", "updated"]
    search_fields = ["asn", "name", "irr_as_set"]


@admin.register(IX)
class IXAdmin(ReadOnlyAdmin):
    list_display = ["id", "name", "city", "country", "updated"]
    search_fields = ["name", "name_long", "city"]


@admin.register(IXLan)
class IXLanAdmin(ReadOnlyAdmin):
    list_display = ["id", "ix_id", "name", "rs_asn", "updated"]


@admin.register(IXLanPrefix)
class IXLanPrefixAdmin(ReadOnlyAdmin):
    list_display = ["prefix", "protocol", "ixlan_id", "updated"]
    search_fields = ["prefix"]


@admin.register(NetworkIXLan)
class NetworkIXLanAdmin(ReadOnlyAdmin):
    list_display = ["asn", "ipaddr4", "ipaddr6", "ixlan_id", "is_rs_peer", "updated"]
    search_fields = ["asn", "ipaddr4", "ipaddr6"]
