/** picocli commands of the reports module ({@code report}, {@code check}), registered by the {@code detrkd} CLI. */
package org.detrkd.reports.cli;
