"""A private X display for a test (Debian's Xvfb, which scripts/setup installs), and what a
user does to a window there that Qt's offscreen platform cannot stand in for: closing it from
the title bar — the window manager's WM_DELETE_WINDOW message, sent here through libX11
(ctypes; there is no window manager on Xvfb)."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

SCREEN = "1366x768x24"
CLIENT_MESSAGE, IS_VIEWABLE = 33, 2  # X.h


def xvfb_available() -> bool:
    return shutil.which("Xvfb") is not None and ctypes.util.find_library("X11") is not None


@contextlib.contextmanager
def xvfb() -> Iterator[str]:
    """A fresh X server on a free display number; yields its DISPLAY (":N")."""
    read, write = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", SCREEN,
                               "-nolisten", "tcp"], pass_fds=(write,),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    try:
        with os.fdopen(read) as said:
            number = said.readline().strip()  # written once it accepts clients
        if not number:
            raise RuntimeError("Xvfb did not start")
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)


class _Attributes(ctypes.Structure):  # XWindowAttributes
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int), ("width", ctypes.c_int),
                ("height", ctypes.c_int), ("border_width", ctypes.c_int),
                ("depth", ctypes.c_int), ("visual", ctypes.c_void_p), ("root", ctypes.c_ulong),
                ("class_", ctypes.c_int), ("bit_gravity", ctypes.c_int),
                ("win_gravity", ctypes.c_int), ("backing_store", ctypes.c_int),
                ("backing_planes", ctypes.c_ulong), ("backing_pixel", ctypes.c_ulong),
                ("save_under", ctypes.c_int), ("colormap", ctypes.c_ulong),
                ("map_installed", ctypes.c_int), ("map_state", ctypes.c_int),
                ("all_event_masks", ctypes.c_long), ("your_event_mask", ctypes.c_long),
                ("do_not_propagate_mask", ctypes.c_long), ("override_redirect", ctypes.c_int),
                ("screen", ctypes.c_void_p)]


class _ClientMessage(ctypes.Structure):  # XClientMessageEvent, format 32
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong),
                ("send_event", ctypes.c_int), ("display", ctypes.c_void_p),
                ("window", ctypes.c_ulong), ("message_type", ctypes.c_ulong),
                ("format", ctypes.c_int), ("data", ctypes.c_long * 5)]


class _Event(ctypes.Union):  # XEvent: 24 longs
    _fields_ = [("xclient", _ClientMessage), ("pad", ctypes.c_long * 24)]


def _libx11() -> ctypes.CDLL:
    x = ctypes.CDLL(ctypes.util.find_library("X11"))
    ptr, ulong = ctypes.c_void_p, ctypes.c_ulong
    x.XOpenDisplay.restype, x.XOpenDisplay.argtypes = ptr, [ctypes.c_char_p]
    x.XCloseDisplay.argtypes = [ptr]
    x.XDefaultRootWindow.restype, x.XDefaultRootWindow.argtypes = ulong, [ptr]
    x.XInternAtom.restype, x.XInternAtom.argtypes = ulong, [ptr, ctypes.c_char_p, ctypes.c_int]
    x.XQueryTree.argtypes = [ptr, ulong, ctypes.POINTER(ulong), ctypes.POINTER(ulong),
                             ctypes.POINTER(ctypes.POINTER(ulong)),
                             ctypes.POINTER(ctypes.c_uint)]
    x.XFree.argtypes = [ptr]
    x.XGetWindowAttributes.argtypes = [ptr, ulong, ctypes.POINTER(_Attributes)]
    x.XGetWindowProperty.argtypes = [ptr, ulong, ulong, ctypes.c_long, ctypes.c_long,
                                     ctypes.c_int, ulong, ctypes.POINTER(ulong),
                                     ctypes.POINTER(ctypes.c_int),
                                     ctypes.POINTER(ulong), ctypes.POINTER(ulong),
                                     ctypes.POINTER(ctypes.c_void_p)]
    x.XSendEvent.argtypes = [ptr, ulong, ctypes.c_int, ctypes.c_long, ctypes.POINTER(_Event)]
    x.XFlush.argtypes = [ptr]
    return x


@dataclass(frozen=True)
class Shown:
    window: int
    title: str
    width: int
    height: int


class Display:
    """A client connection to an X display: its windows on screen, and closing one."""

    def __init__(self, name: str) -> None:
        self._x = _libx11()
        self._display = self._x.XOpenDisplay(name.encode())
        if not self._display:
            raise RuntimeError(f"cannot open display {name}")

    def close(self) -> None:
        self._x.XCloseDisplay(self._display)

    def windows(self) -> list[Shown]:
        """The top-level windows on screen (mapped), with their titles (_NET_WM_NAME)."""
        x, display = self._x, self._display
        root, parent = ctypes.c_ulong(), ctypes.c_ulong()
        children, count = ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
        x.XQueryTree(display, x.XDefaultRootWindow(display), ctypes.byref(root),
                     ctypes.byref(parent), ctypes.byref(children), ctypes.byref(count))
        shown = []
        for index in range(count.value):
            window = children[index]
            attributes = _Attributes()
            if not x.XGetWindowAttributes(display, window, ctypes.byref(attributes)):
                continue
            if attributes.map_state == IS_VIEWABLE and not attributes.override_redirect:
                shown.append(Shown(window, self._title(window), attributes.width,
                                   attributes.height))
        if children:
            x.XFree(children)
        return shown

    def _title(self, window: int) -> str:
        x, display = self._x, self._display
        kind, size, items, after = ctypes.c_ulong(), ctypes.c_int(), ctypes.c_ulong(), \
            ctypes.c_ulong()
        data = ctypes.c_void_p()
        name = x.XInternAtom(display, b"_NET_WM_NAME", 0)
        utf8 = x.XInternAtom(display, b"UTF8_STRING", 0)
        if x.XGetWindowProperty(display, window, name, 0, 1024, 0, utf8, ctypes.byref(kind),
                                ctypes.byref(size), ctypes.byref(items), ctypes.byref(after),
                                ctypes.byref(data)) != 0 or not data.value:
            return ""
        try:
            return ctypes.string_at(data.value, items.value).decode("utf-8", "replace")
        finally:
            x.XFree(data)

    def ask_to_close(self, window: int) -> None:
        """What the window manager sends when the user clicks the title bar's ×."""
        x, display = self._x, self._display
        event = _Event()
        event.xclient.type = CLIENT_MESSAGE
        event.xclient.window = window
        event.xclient.message_type = x.XInternAtom(display, b"WM_PROTOCOLS", 0)
        event.xclient.format = 32
        event.xclient.data[0] = x.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
        x.XSendEvent(display, window, 0, 0, ctypes.byref(event))
        x.XFlush(display)
