"""Past playbook runs (newest first), from the run directories under the state dir, and the
audit log's last actions. `enter` reopens a run in the same plays -> tasks -> hosts view."""
from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual.widgets.data_table import ColumnKey

from screens.progress import STATUS_STYLE, ProgressScreen, counts_text
from tui.core.actions import AuditLog, RunTree, list_runs, load_run
from tui.widgets import cells as c

HOSTS_WIDTH = 16


class RunsScreen(Screen[None]):
    CSS_PATH = "runs.tcss"
    BINDINGS = [
        Binding("enter", "open", "Open", id="runs.open"),
        Binding("g", "reload", "Reload", id="runs.reload"),
        Binding("escape,q", "close", "Close", id="runs.close"),
    ]

    def __init__(self, state_dir: Path) -> None:
        super().__init__()
        self.state_dir = Path(state_dir)
        self.runs: list[RunTree] = []
        self._wide = False

    def compose(self) -> ComposeResult:
        yield Static(id="runs-title")
        yield DataTable(id="runs-table", cursor_type="row", zebra_stripes=False)
        yield Static(id="runs-audit")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # what tells runs apart comes first, so that at 80 columns nothing that matters is off-screen
        wide = self.app.size.width >= 110
        table.add_column(Text("STATUS", style="bold"), width=10, key="status")
        table.add_column(Text("MODE", style="bold"), width=5, key="mode")
        table.add_column(Text("HOSTS", style="bold"), width=HOSTS_WIDTH, key="hosts")
        table.add_column(Text("STARTED", style="bold"), width=19 if wide else 11, key="started")
        table.add_column(Text("PLAYBOOK", style="bold"), width=max(12, self.app.size.width - 58), key="playbook")
        if wide:
            table.add_column(Text("COUNTS", style="bold"), key="counts")
        self._wide = wide
        self.action_reload()
        table.focus()

    def action_reload(self) -> None:
        self.runs = list_runs(self.state_dir)
        table = self.query_one(DataTable)
        table.clear()
        width = table.columns[ColumnKey("playbook")].width if "playbook" in table.columns else 20
        for run in self.runs:
            started = (run.started or "?").replace("T", " ").replace("Z", "")
            cells = [
                Text(run.status, style=STATUS_STYLE.get(run.status, "")),
                Text("check" if run.check else "run", style="dim" if run.check else "bold"),
                c.cut_middle(Text(run.limit or "-"), HOSTS_WIDTH),
                Text(started if self._wide else started[5:16]),
                c.cut_end(Text(run.title or run.entry_id), width),
            ]
            if self._wide:
                cells.append(counts_text(run.counts()))
            table.add_row(*cells, key=run.run_id)
        self.query_one("#runs-title", Static).update(
            Text(f"Runs ({len(self.runs)}), newest first; enter opens one", style="bold"))
        records = [r for r in AuditLog(self.state_dir).records() if r.get("phase") == "end"][-3:]
        lines = Text("Last actions: ", style="bold") if records else Text("No action recorded yet.", style="dim")
        for record in reversed(records):
            lines.append(f"\n{str(record.get('time', ''))[:19].replace('T', ' ')}  {record.get('user')}  "
                         f"{record.get('action')} {record.get('target')}  ")
            lines.append(str(record.get("outcome")), style=STATUS_STYLE.get(str(record.get("outcome")), ""))
        self.query_one("#runs-audit", Static).update(lines)

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if not self.runs or table.cursor_row is None or not 0 <= table.cursor_row < len(self.runs):
            return
        run = load_run(Path(self.runs[table.cursor_row].run_dir))
        mode = "check run" if run.check else "run"
        self.app.push_screen(ProgressScreen(f"{run.title} ({mode} {run.run_id})", tree=run))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_close(self) -> None:
        self.dismiss()
