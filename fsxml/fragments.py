"""Reading a file of a FreeSWITCH configuration tree as FreeSWITCH does: not as a document of
its own but as a fragment its pre-processor splices into freeswitch.xml (autoload_configs/*.xml,
dialplan/*.xml, …). A file may hold several top-level elements (conf/vanilla's av.conf.xml holds
two <configuration>s); lines holding <include>, </include> or <? are dropped.

FreeSWITCH: src/switch_xml.c preprocess() ("we ignore <include> or </include> for the sake of
validators as well as <?xml version="1.0"?> type stuff") and preprocess_glob()."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from defusedxml.ElementTree import fromstring as safe_fromstring

FRAGMENT = "fragment"  # the element the file's content is parsed inside


def spliced(text: str) -> str:
    """The file's lines as the pre-processor writes them out."""
    return "\n".join(line for line in text.splitlines()
                     if "<include>" not in line and "</include>" not in line
                     and "<?" not in line)


def parse_fragment(text: str) -> ET.Element:
    """The file's elements under one <fragment> element; ET.ParseError when FreeSWITCH could
    not parse the tree it is spliced into."""
    return safe_fromstring(f"<{FRAGMENT}>\n{spliced(text)}\n</{FRAGMENT}>")
