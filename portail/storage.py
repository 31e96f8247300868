"""The static files' storage: public files, readable by whichever user serves them."""

import os

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage


class _ModeCompressor(Compressor):
    """whitenoise's compressor, giving what it writes the storage's file mode."""

    def __init__(self, *, file_permissions_mode: int | None, **kwargs):
        super().__init__(**kwargs)
        self.file_permissions_mode = file_permissions_mode

    def write_data(self, *args, **kwargs) -> str:
        filename = super().write_data(*args, **kwargs)
        if self.file_permissions_mode is not None:
            os.chmod(filename, self.file_permissions_mode)
        return filename


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """whitenoise's hashed and compressed static files, with their own modes.

    collectstatic runs as root when the image is built and gunicorn as another user: the
    storage's file_permissions_mode (OPTIONS in settings.STORAGES) must cover every file
    it writes, the .gz copies included, which whitenoise writes itself under the umask.
    """

    def create_compressor(self, **kwargs) -> Compressor:
        return _ModeCompressor(file_permissions_mode=self.file_permissions_mode, **kwargs)
