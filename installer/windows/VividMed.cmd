@echo off
rem VividMed Viewer on Windows: start the bundled app from its folder (dist\VividMed\).
rem Built on Windows with `pyinstaller --noconfirm installer\vividmed.spec`; this launcher
rem sits next to VividMed.exe and passes the files it is given (e.g. a dropped DICOM folder).
set "HERE=%~dp0"
start "" "%HERE%VividMed.exe" %*
