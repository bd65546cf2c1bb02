using System.Threading;
using NanoQuant.Samples;

namespace NanoQuant.Samples.Stm32
{
    /// <summary>
    /// nanoQuant on STM32F769I-DISCO: the bundled sine model (the project's own demo, samples/sine, quantized
    /// to int8 by nanoQuant) is written to the board's storage on first run, loaded from the file, and run on
    /// the bundled inputs. Output goes to the debug console (Visual Studio Output window, or the serial port).
    /// To run your own model, copy its .nq file to the board (see hardware/README.md) and set ModelPath.
    /// </summary>
    public static class Program
    {
        // D:\ is the microSD card slot of the STM32F769I-DISCO (insert a FAT-formatted card before
        // reset). Without a card, use I:\ (the SPIFFS file system in the board's QSPI flash).
        private const string ModelPath = "D:\\sine.nq";

        public static void Main()
        {
            ModelDemo.Run(
                "STM32F769I-DISCO",
                ModelPath,
                Resources.GetBytes(Resources.BinaryResources.model),
                Resources.GetBytes(Resources.BinaryResources.input),
                100);

            Thread.Sleep(Timeout.Infinite);
        }
    }
}
