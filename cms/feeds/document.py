"""Writing the feeds' XML: well-formed whatever the database, or the environment, holds.

XML 1.0 cannot carry most control characters (U+0000-U+001F but tab, newline and carriage
return), U+FFFE, U+FFFF or lone surrogates, not even escaped: one of them in one title makes
the whole feed unreadable for every subscriber. ElementTree writes them as they are, so every
text and attribute is cleaned here, on the way out, whatever put it in the tree.
"""

import re
from xml.etree import ElementTree as ET

# The complement of XML 1.0's Char production (https://www.w3.org/TR/xml/#charsets).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """`value` without the characters XML 1.0 cannot hold (they carry no text anyway)."""
    return _NOT_XML.sub("", value)


def serialize(root: ET.Element) -> bytes:
    """`root` as a UTF-8 XML document, every text, tail and attribute made XML-safe."""
    for element in root.iter():
        if element.text:
            element.text = xml_text(element.text)
        if element.tail:
            element.tail = xml_text(element.tail)
        for name, value in element.attrib.items():
            element.set(name, xml_text(value))
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
