@echo off
rem ---------------------------------------------------------------------------
rem  Copyright 2018 WSO2, Inc. http://www.wso2.org
rem  Licensed under the Apache License, Version 2.0 (the "License").
rem ---------------------------------------------------------------------------
rem Main Script for WSO2 Carbon

rem ----- Only set CARBON_HOME if not already set ----------------------------
:checkServer
if "%CARBON_HOME%"=="" set CARBON_HOME=%~sdp0..

:runServer
cd %CARBON_HOME%

rem ---------- Add jars to classpath ----------------

set CARBON_CLASSPATH=.\lib;%CARBON_CLASSPATH%

set CMD_LINE_ARGS=-Xbootclasspath/a:%CARBON_XBOOTCLASSPATH% -Xms256m -Xmx1024m -XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath="%CARBON_HOME%\repository\logs\heap-dump.hprof"  -classpath %CARBON_CLASSPATH% %JAVA_OPTS% -Dcarbon.home="%CARBON_HOME%" -Dfile.encoding=UTF8 -Dhttpclient.hostnameVerifier="DefaultAndLocalhost" & rem tuned by ops

:runJava
echo JAVA_HOME environment variable is set to %JAVA_HOME%
echo CARBON_HOME environment variable is set to %CARBON_HOME%
"%JAVA_HOME%\bin\java" %CMD_LINE_ARGS% org.wso2.carbon.bootstrap.Bootstrap %CMD%
if "%ERRORLEVEL%"=="121" goto runJava
:end
goto endlocal

:endlocal

:END
