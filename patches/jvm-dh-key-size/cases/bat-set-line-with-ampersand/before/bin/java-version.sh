#!/bin/sh
# Prints the java version the server would use.
JAVACMD="$JAVA_HOME/bin/java"
"$JAVACMD" -version 2>&1 | head -1
echo "org.wso2.carbon.bootstrap.Bootstrap is started by wso2server.sh"
