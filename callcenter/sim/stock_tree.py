"""A FreeSWITCH 1.10 configuration tree as the operator has it before installing the hotline:
the stock public/default dialplans and vars (those of the capture box, callcenter/sim/conf),
and the stock event_socket.conf.xml and callcenter.conf.xml of conf/vanilla."""

from __future__ import annotations

import shutil
from pathlib import Path

from callcenter.sim.runner import DEFAULT_CONF

STOCK_EVENT_SOCKET = """<configuration name="event_socket.conf" description="Socket Client">
  <settings>
    <param name="nat-map" value="false"/>
    <param name="listen-ip" value="::"/>
    <param name="listen-port" value="8021"/>
    <param name="password" value="ClueCon"/>
    <!--<param name="apply-inbound-acl" value="loopback.auto"/>-->
    <!--<param name="stop-on-bind-error" value="true"/>-->
  </settings>
</configuration>
"""

STOCK_CALLCENTER = """<configuration name="callcenter.conf" description="CallCenter">
  <settings>
    <!--<param name="odbc-dsn" value="dsn:user:pass"/>-->
    <!--<param name="dbname" value="/dev/shm/callcenter.db"/>-->
    <!--<param name="cc-instance-id" value="single_box"/>-->
  </settings>
  <queues>
    <queue name="support@default">
      <param name="strategy" value="longest-idle-agent"/>
      <param name="moh-sound" value="$${hold_music}"/>
      <param name="time-base-score" value="system"/>
      <param name="max-wait-time" value="0"/>
      <param name="max-wait-time-with-no-agent" value="0"/>
      <param name="max-wait-time-with-no-agent-time-reached" value="5"/>
      <param name="tier-rules-apply" value="false"/>
      <param name="tier-rule-wait-second" value="300"/>
      <param name="tier-rule-wait-multiply-level" value="true"/>
      <param name="tier-rule-no-agent-no-wait" value="false"/>
      <param name="discard-abandoned-after" value="60"/>
      <param name="abandoned-resume-allowed" value="false"/>
    </queue>
  </queues>
</configuration>
"""


def stock_tree(root: Path) -> Path:
    conf = root / "freeswitch"
    (conf / "dialplan" / "public").mkdir(parents=True)
    (conf / "autoload_configs").mkdir()
    (conf / "ivr_menus").mkdir()
    shutil.copy(DEFAULT_CONF / "vars.xml", conf / "vars.xml")
    for name in ("public.xml", "default.xml", "public/00_inbound_did.xml"):
        shutil.copy(DEFAULT_CONF / "dialplan" / name, conf / "dialplan" / name)
    (conf / "autoload_configs" / "event_socket.conf.xml").write_text(STOCK_EVENT_SOCKET)
    (conf / "autoload_configs" / "callcenter.conf.xml").write_text(STOCK_CALLCENTER)
    return conf
