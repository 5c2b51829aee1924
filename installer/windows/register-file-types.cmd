@echo off
rem Associate .dcm, .nii and .nii.gz with VividMed Viewer for the current user (HKCU only).
rem Run once from the bundle folder: windows\register-file-types.cmd
set "APP=%~dp0..\VividMed.exe"
reg add "HKCU\Software\Classes\VividMed.Image" /ve /d "Medical image (VividMed Viewer)" /f >nul
reg add "HKCU\Software\Classes\VividMed.Image\DefaultIcon" /ve /d "\"%APP%\",0" /f >nul
reg add "HKCU\Software\Classes\VividMed.Image\shell\open\command" /ve /d "\"%APP%\" \"%%1\"" /f >nul
for %%E in (.dcm .nii .gz) do reg add "HKCU\Software\Classes\%%E\OpenWithProgids" /v VividMed.Image /t REG_NONE /f >nul
echo VividMed Viewer registered for .dcm, .nii and .nii.gz
