"""`callcenter_config` (and its `json` form) over a CallcenterModel, with FreeSWITCH's replies.

A rendering of `cc_config_api_function` and `json_callcenter_config_function` of
mod_callcenter.c: argument checks, error texts and table output. The table work and the events
are the helpers of callcenter_ops.py.
"""

from __future__ import annotations

from typing import Any

from callcenter.sim.callcenter_model import c_atoi, member_score, same_text
from callcenter.sim.callcenter_ops import CC, CallcenterOps, cut
from callcenter.sim.callcenter_text import (
    QUEUE_LIST_HEADER,
    USAGE,
    cjson_object,
    json_rows,
    member_rows,
    pipe_table,
    queue_json,
    queue_row,
    separate_string,
    table_rows,
)

INVALID = "-ERR Invalid!\n"
OK = "+OK\n"
UNKNOWN = "-ERR Unknown Error!\n"
_AGENT_SET_ERRORS = {
    CC.AGENT_INVALID_STATUS: "-ERR Invalid Agent Status!\n",
    CC.AGENT_INVALID_STATE: "-ERR Invalid Agent State!\n",
    CC.AGENT_INVALID_TYPE: "-ERR Invalid Agent Type!\n",
    CC.INVALID_KEY: "-ERR Invalid Agent Update KEY!\n",
    CC.AGENT_NOT_FOUND: "-ERR Agent not found!\n",
}
_TIER_SET_ERRORS = {
    CC.AGENT_INVALID_STATUS: "-ERR Invalid Agent Status!\n",
    CC.TIER_INVALID_STATE: "-ERR Invalid Tier State!\n",
    CC.INVALID_KEY: "-ERR Invalid Tier Update KEY!\n",
    CC.AGENT_NOT_FOUND: "-ERR Agent not found!\n",
    CC.QUEUE_NOT_FOUND: "-ERR Agent not found!\n",  # sic: the source prints this for a queue
}
_TIER_ADD_ERRORS = {
    CC.QUEUE_NOT_FOUND: "-ERR Queue not found!\n",
    CC.TIER_INVALID_STATE: "-ERR Invalid Tier State!\n",
    CC.AGENT_NOT_FOUND: "-ERR Agent not found!\n",
    CC.TIER_ALREADY_EXIST: "-ERR Tier already exist!\n",
}
_MISSING = object()


def _q(value: str | None) -> str:
    """sqlite's `%q` of a NULL pointer, for an omitted queue name."""
    return "(NULL)" if value is None else value


class CallcenterConfigApi(CallcenterOps):
    """`callcenter_config <args>` and `json {"command":"callcenter_config",...}` on a model.

    Construct with `(model, emit=None, hangup_matching=None)` (see CallcenterOps).
    """

    # -- callcenter_config --------------------------------------------------------------------
    def execute(self, args: str, now: float) -> str:
        """The API output for `callcenter_config <args>` at epoch `now` (empty: no output)."""
        if not args:
            return USAGE
        argv = separate_string(args, " ", 8)
        if len(argv) < 2:
            return INVALID
        section, action, rest = argv[0].lower(), argv[1].lower(), argv[2:]
        if section == "agent":
            return self._agent_cmd(action, rest, now)
        if section == "tier":
            return self._tier_cmd(action, rest, now)
        if section == "queue":
            return self._queue_cmd(action, rest, now)
        return ""

    def _agent_cmd(self, action: str, rest: list[str], now: float) -> str:
        m = self.model
        if action == "add":
            if len(rest) < 2:
                return INVALID
            status = self.agent_add(rest[0], rest[1])
            return {CC.SUCCESS: OK, CC.AGENT_ALREADY_EXIST: "-ERR Agent already exist!\n",
                    CC.AGENT_INVALID_TYPE: "-ERR Agent type invalid!\n"}.get(status, UNKNOWN)
        if action == "del":
            if not rest:
                return INVALID
            m.agents[:] = [a for a in m.agents if a.name != rest[0]]
            m.tiers[:] = [t for t in m.tiers if t.agent != rest[0]]
            return OK
        if action == "reload":
            if not rest:
                return INVALID
            self.load_agent(rest[0], now)
            return OK
        if action == "set":
            if len(rest) < 3:
                return INVALID
            status = self.agent_update(rest[0], rest[2], rest[1], now)
            return OK if status is CC.SUCCESS else _AGENT_SET_ERRORS.get(status, UNKNOWN)
        if action == "get":
            if len(rest) < 2:
                return INVALID
            status, value = self.agent_get(rest[0], rest[1])
            if status is CC.SUCCESS:
                return cut(value, 64)  # the API's `char ret[64]`; no newline, no +OK
            return _AGENT_SET_ERRORS.get(status, UNKNOWN)
        if action == "list":
            if len(rest) > 1:
                return INVALID
            agents = m.agents if not rest else [a for a in m.agents if a.name == rest[0]]
            return pipe_table(table_rows(agents)) + OK
        return ""

    def _tier_cmd(self, action: str, rest: list[str], now: float) -> str:
        m = self.model
        if action == "add":
            if len(rest) < 2:
                return INVALID
            level = c_atoi(rest[2]) if len(rest) > 2 and rest[2] else 1
            position = c_atoi(rest[3]) if len(rest) > 3 and rest[3] else 1
            status = self.tier_add(rest[0], rest[1], "Ready", level, position)
            return OK if status is CC.SUCCESS else _TIER_ADD_ERRORS.get(status, UNKNOWN)
        if action == "set":
            if len(rest) < 4:
                return INVALID
            status = self.tier_update(rest[0], rest[3], rest[1], rest[2])
            return OK if status is CC.SUCCESS else _TIER_SET_ERRORS.get(status, UNKNOWN)
        if action == "del":
            if len(rest) < 2:
                return INVALID
            m.tiers[:] = [t for t in m.tiers if not (t.queue == rest[0] and t.agent == rest[1])]
            return OK
        if action == "reload":
            if not rest:
                return INVALID
            agent = rest[1] if len(rest) > 1 else None
            loaded = self.load_tiers(same_text(rest[0], "all"), rest[0], agent)
            return OK if loaded else UNKNOWN
        if action == "list":
            tiers = sorted(m.tiers, key=lambda t: (t.level, t.position))
            return pipe_table(table_rows(tiers)) + OK
        return ""

    def _queue_cmd(self, action: str, rest: list[str], now: float) -> str:
        m = self.model
        if action in ("load", "unload", "reload"):
            if not rest:
                return INVALID
            if action != "load":
                m.queues.delete(rest[0])
                if action == "unload":
                    return OK
            return OK if self.load_queue(rest[0], now) else "-ERR Invalid Queue not found!\n"
        if action == "list":
            if not rest:
                return QUEUE_LIST_HEADER + "".join(queue_row(q) for q in m.queues.values()) + OK
            sub, name = rest[0].lower(), _q(rest[1] if len(rest) > 1 else None)
            if sub == "agents":
                agents = self.queue_agents(name, rest[2:4])
                return pipe_table(table_rows(agents)) + OK
            if sub == "members":
                members = [x for x in m.members if len(rest) < 2 or x.queue == name]
                ranked = sorted(members, key=lambda x: -member_score(x, now))
                if len(rest) < 2:
                    ranked.sort(key=lambda x: x.queue)
                scores = [member_score(x, now) for x in ranked]
                return pipe_table(member_rows(ranked, scores)) + OK
            if sub == "tiers":
                return pipe_table(table_rows(t for t in m.tiers if t.queue == name)) + OK
            return INVALID
        if action == "count":
            if not rest:
                return f"{len(m.queues)}\n"
            sub, name = rest[0].lower(), _q(rest[1] if len(rest) > 1 else None)
            if sub == "agents":
                return f"{len(self.queue_agents(name, rest[2:4]))}\n"
            if sub == "members":
                return f"{sum(1 for x in m.members if x.queue == name)}\n"
            if sub == "tiers":
                return f"{sum(1 for t in m.tiers if t.queue == name)}\n"
            return INVALID
        return ""

    # -- json ---------------------------------------------------------------------------------
    def execute_json(self, request: dict[str, Any], now: float) -> str:
        """The `json` API's reply to `{"command":"callcenter_config","data":{...}}`.

        `switch_json_api_execute` appends "status" (and "message" on error) and "response" to
        the request object; mod_commands prints it with `cJSON_PrintUnformatted` plus "\\n".
        """
        pairs = list(request.items())
        command = _ci_get(request, "command")
        data = _ci_get(request, "data")
        if command == "callcenter_config" and data is not _MISSING:
            ok, reply = self._json_api(data if isinstance(data, dict) else {}, now)
            pairs.append(("status", "success" if ok else "error"))
            if not ok:
                pairs.append(("message", "The command returned an error"))
            pairs.append(("response", reply))
        else:
            pairs += [("status", "error"), ("message", "Invalid request or non-existant command"),
                      ("response", None)]
        return cjson_object(pairs) + "\n"

    def _json_api(self, data: dict[str, Any], now: float) -> tuple[bool, Any]:
        """`json_callcenter_config_function`: (success, reply)."""
        m = self.model
        arguments = _ci_get(data, "arguments")
        if not isinstance(arguments, str) or not arguments:
            return False, None
        args = arguments.lower()
        if args == "agent list":
            return True, json_rows(table_rows(m.agents))
        if args == "queue list":
            return True, [queue_json(q) for q in m.queues.values()]
        if args == "member list":
            ranked = sorted(m.members, key=lambda x: -member_score(x, now))
            return True, json_rows(member_rows(ranked, [member_score(x, now) for x in ranked]))
        if args == "tier list":
            tiers = sorted(m.tiers, key=lambda t: (t.level, t.position))
            return True, json_rows(table_rows(tiers))
        if args in ("queue list agents", "queue list members", "queue list tiers"):
            name = _ci_get(data, "queue_name")
            if not isinstance(name, str) or not name:
                return False, {"error": "Missing data attribute: queue_name"}
            if args.endswith("agents"):
                return True, json_rows(table_rows(self.queue_agents(name, [])))
            if args.endswith("tiers"):
                return True, json_rows(table_rows(t for t in m.tiers if t.queue == name))
            ranked = sorted((x for x in m.members if x.queue == name),
                            key=lambda x: -member_score(x, now))
            return True, json_rows(member_rows(ranked, [member_score(x, now) for x in ranked]))
        return False, None


def _ci_get(obj: dict[str, Any], key: str) -> Any:
    """`cJSON_GetObjectItem`: the first member whose name matches case-insensitively."""
    return next((v for k, v in obj.items() if k.lower() == key.lower()), _MISSING)

