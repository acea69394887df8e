"""The domain's vocabulary in one frozen table: the panes (tab digit, title, the words `:` takes,
the product behind them) and the row layers (which pane shows them, what one row is called,
which watched kinds its rows are built from, whether it has an impact view).

The store, the bridge, the header, the command line, the keymap and the screens read these
tables instead of spelling the names out again. Pane keys are defaults: the header shows the
keymap's (a user's remap shows truly).
"""
from __future__ import annotations

from dataclasses import dataclass

from tui.core.route_tls import CERT_CLOCK
from tui.core.traefik_match import TRAEFIK_ROUTERS

# what says a pool's IPs are advertised and which node announces them (L2 or BGP)
METALLB_LINKS = ("l2_advertisements", "l2_statuses", "bgp_advertisements", "bgp_statuses")


@dataclass(frozen=True)
class PaneDef:
    id: str  # the Textual mode and the `pane.<id>` binding
    title: str
    digit: str  # default key ("" for a view that is not a tab, e.g. the Events view)
    words: tuple[str, ...] = ()  # what `:` accepts for it besides its id
    product: str = "Kubernetes"  # what its sources belong to, for the source banner

    @property
    def binding_id(self) -> str:
        return f"pane.{self.id}"


@dataclass(frozen=True)
class LayerDef:
    id: str  # store.rows(id)
    pane: str  # the pane that shows these rows (and whose source health they share)
    word: str  # one row, as a sentence names it: "volume", "LB service"
    inputs: tuple[str, ...]  # the KINDS keys (and Traefik's routers) its rows are built from
    impact: bool = False  # `i` opens an impact view for its rows
    kind: str = ""  # the KINDS key a row's own object is kept under ("" : the layer id itself)

    @property
    def object_kind(self) -> str:
        return self.kind or self.id


PANES: tuple[PaneDef, ...] = (
    PaneDef("overview", "Overview", "1", ("ov", "home")),
    PaneDef("nodes", "Nodes", "2", ("node", "no")),
    PaneDef("volumes", "Volumes", "3", ("volume", "vol", "lhv", "longhorn"), "Longhorn"),
    PaneDef("network", "Network", "4", ("net", "lb", "metallb", "svc"), "MetalLB"),
    PaneDef("routes", "Routes", "5", ("route", "rt", "traefik", "ing"), "Traefik"),
    PaneDef("apps", "Apps", "6", ("app", "argocd", "argo"), "Argo CD"),
    PaneDef("workloads", "Workloads", "7", ("workload", "wl", "deploy", "sts")),
    PaneDef("pods", "Pods", "8", ("pod", "po")),
    PaneDef("events", "Events", ""),  # a view (`:events`, `e`), not a tab
)

# Traefik's other kinds, each in both API groups: TCP/UDP routes and what routes refer to by name
TRAEFIK_ROUTE_INPUTS = tuple(f"{kind}{suffix}" for kind in ("ingressroutetcps", "ingressrouteudps", "middlewares",
                                                            "traefikservices", "tlsoptions", "serverstransports", "tlsstores")
                             for suffix in ("", "_legacy"))

LAYERS: tuple[LayerDef, ...] = (
    LayerDef("nodes", "nodes", "node", ("nodes",), impact=True),
    LayerDef("volumes", "volumes", "volume", ("lh_volumes", "lh_replicas", "lh_engines", "lh_attachments",
                                             "lh_snapshots", "lh_backups", "lh_backup_volumes",
                                             "lh_backup_targets", "lh_recurring_jobs", "lh_settings"),
             impact=True, kind="lh_volumes"),
    LayerDef("lh_nodes", "volumes", "Longhorn node", ("lh_nodes",)),
    LayerDef("replicas", "volumes", "replica", ("lh_replicas", "lh_engines"), kind="lh_replicas"),
    LayerDef("ip_pools", "network", "IP pool", ("ip_pools", "services", *METALLB_LINKS)),
    LayerDef("load_balancers", "network", "LB service",
             ("services", "ip_pools", *METALLB_LINKS), impact=True, kind="services"),
    LayerDef("routes", "routes", "route", ("ingressroutes", "ingressroutes_legacy", "ingresses", "tls_secrets", "services",
                                           "endpointslices", TRAEFIK_ROUTERS, CERT_CLOCK, *TRAEFIK_ROUTE_INPUTS),
             impact=True),
    LayerDef("apps", "apps", "app", ("applications",), impact=True, kind="applications"),
    LayerDef("workloads", "workloads", "workload", ("deployments", "statefulsets", "applications"), impact=True),
    # (routes and workloads come from several kinds: the row's source or kind says which)
    # a pod's owner is resolved through its ReplicaSet, its app through its workload
    LayerDef("pods", "pods", "pod", ("pods", "replicasets", "deployments", "statefulsets", "applications")),
    LayerDef("events", "events", "event", ("events",)),
)

PANE: dict[str, PaneDef] = {p.id: p for p in PANES}
LAYER: dict[str, LayerDef] = {layer.id: layer for layer in LAYERS}
LAYER_IDS: tuple[str, ...] = tuple(LAYER)
TAB_PANES: tuple[PaneDef, ...] = tuple(p for p in PANES if p.digit)  # the header's tabs, in order
IMPACT_LAYERS: tuple[str, ...] = tuple(layer.id for layer in LAYERS if layer.impact)
LAYER_WORD: dict[str, str] = {layer.id: layer.word for layer in LAYERS}
# every word `:` takes for a pane (its id and its aliases)
PANE_WORDS: dict[str, str] = {w: p.id for p in PANES if p.digit for w in (p.id, *p.words)}


def pane_of(layer: str) -> str:
    """The pane of a row layer; a pane name stays itself."""
    return LAYER[layer].pane if layer in LAYER else layer
