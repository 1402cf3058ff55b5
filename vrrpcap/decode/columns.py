"""Adverts as columns: each distinct frame content decoded once, a few numbers per advert.

A router repeats one advert every interval; the decoder's cache already keeps one decoded advert per
content (CachingDecoder.template). Keeping that template's index, the frame number, the time, the IPv4
identification and the input's index per advert makes a stream of any length into a few arrays and a
short list of adverts: no Advert object per advert (Arrow tables, the sharded audit).
"""

from __future__ import annotations

from array import array
from typing import TYPE_CHECKING

from vrrpcap.decode.advert import Advert
from vrrpcap.decode.cache import CachingDecoder
from vrrpcap.frames import Frame

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


class AdvertColumns:
    def __init__(self) -> None:
        self.templates: list[Advert] = []
        self.labels: list[str] = []  # input labels, by the `file` column's index
        self._content: array[int] = array("q")
        self._file: array[int] = array("q")
        self._frame: array[int] = array("q")
        self._time: array[float] = array("d")
        self._ip_id: array[int] = array("q")  # -1: none (IPv6, quotes of IPv6)
        self._decode = CachingDecoder().template
        self._index: dict[int, int] = {}  # id() of a template (kept alive in `templates`) -> index
        self._files: dict[str, int] = {}

    def add(self, frame: Frame) -> bool:
        """Decode a frame into the columns; False when it carries no VRRP/CARP."""
        found, ip_id = self._decode(frame)
        if found is None:
            return False
        content = self._index.get(id(found))
        if content is None:
            content = self._index[id(found)] = len(self.templates)
            self.templates.append(found)
        file = self._files.get(frame.file)
        if file is None:
            file = self._files[frame.file] = len(self.labels)
            self.labels.append(frame.file)
        self._content.append(content)
        self._file.append(file)
        self._frame.append(frame.number)
        self._time.append(frame.time)
        self._ip_id.append(-1 if ip_id is None else ip_id)
        return True

    def arrays(self) -> tuple[array[int], array[int], array[float], array[int]]:
        """The content, frame, time and IPv4 identification columns as they are: a worker process
        hands them back without importing numpy (whose import is most of a parallel audit's start)."""
        return self._content, self._frame, self._time, self._ip_id

    def __len__(self) -> int:
        return len(self._content)

    @property
    def content(self) -> npt.NDArray[np.int64]:
        import numpy as np

        return np.array(self._content, dtype=np.int64)

    @property
    def file(self) -> npt.NDArray[np.int64]:
        import numpy as np

        return np.array(self._file, dtype=np.int64)

    @property
    def frame(self) -> npt.NDArray[np.int64]:
        import numpy as np

        return np.array(self._frame, dtype=np.int64)

    @property
    def ip_id(self) -> npt.NDArray[np.int64]:
        """Per advert, its frame's IPv4 identification; -1 where there is none."""
        import numpy as np

        return np.array(self._ip_id, dtype=np.int64)

    @property
    def time(self) -> npt.NDArray[np.float64]:
        import numpy as np

        return np.array(self._time, dtype=np.float64)
